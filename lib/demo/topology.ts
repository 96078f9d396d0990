// The demo app: Bookinfo (the paper's benchmark app) as six services and its call graph.
// productpage → details, productpage → reviews-v1|v2|v3 (round robin), reviews-v2|v3 → ratings.
// Half of them are monitored in sidecar mode, the other half in two federations.

export type Placement = { mode: 'sidecar' } | { mode: 'federated'; federation: string };

export interface DemoService {
  name: string;
  /** Logical downstream → the services behind it (one picked per call, round robin). */
  calls: Record<string, string[]>;
  placement: Placement;
  /** Bytes of the JSON body it answers with (Bookinfo pages are larger than ratings). */
  bodyBytes: number;
  /** Median own work per request, ms. */
  workMs: number;
}

export const NAMESPACE = 'bookinfo';
export const FEDERATIONS = ['zone-a', 'zone-b'] as const;

export const BOOKINFO: readonly DemoService[] = [
  { name: 'productpage', calls: { details: ['details'], reviews: ['reviews-v1', 'reviews-v2', 'reviews-v3'] }, placement: { mode: 'sidecar' }, bodyBytes: 2400, workMs: 4 },
  { name: 'details', calls: {}, placement: { mode: 'federated', federation: 'zone-a' }, bodyBytes: 600, workMs: 2 },
  { name: 'reviews-v1', calls: {}, placement: { mode: 'sidecar' }, bodyBytes: 900, workMs: 3 },
  { name: 'reviews-v2', calls: { ratings: ['ratings'] }, placement: { mode: 'sidecar' }, bodyBytes: 1000, workMs: 3 },
  { name: 'reviews-v3', calls: { ratings: ['ratings'] }, placement: { mode: 'federated', federation: 'zone-b' }, bodyBytes: 1000, workMs: 3 },
  { name: 'ratings', calls: {}, placement: { mode: 'federated', federation: 'zone-a' }, bodyBytes: 300, workMs: 1 },
];

export function findService(name: string): DemoService {
  const s = BOOKINFO.find((x) => x.name === name);
  if (!s) throw new Error(`no demo service "${name}"; known: ${BOOKINFO.map((x) => x.name).join(', ')}`);
  return s;
}
