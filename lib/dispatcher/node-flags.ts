// Node flags the dispatcher runs with: in its image's ENTRYPOINT (docker/dispatcher.Dockerfile, held to
// this list by test/deploy/dockerfiles.test.ts), under `deucalion up`, and in `bench sidecar`. Both trade
// nothing measurable at one scrape a second for ~6 MB of RSS (docs/dispatcher.md, "Memory"):
// - a young generation of 1 MB semi-spaces instead of one that grows to 8 MB: a scrape's garbage dies
//   young either way;
// - no V8 background threads: garbage collection and compilation run on the main thread, which idles
//   between scrapes anyway.
export const DISPATCHER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--single-threaded'];
