#!/bin/sh
# Run: bench/research/sweep2.sh ARGS...  — nab-sweep.ts split over two processes (2 cores), rows in grid order per shard.
cd "$(dirname "$0")/../.." || exit 1
node_modules/.bin/node bench/research/nab-sweep.ts --shard 0/2 "$@" > /tmp/sweep-0.txt 2>&1 &
node_modules/.bin/node bench/research/nab-sweep.ts --shard 1/2 "$@" > /tmp/sweep-1.txt 2>&1
wait
cat /tmp/sweep-0.txt /tmp/sweep-1.txt
