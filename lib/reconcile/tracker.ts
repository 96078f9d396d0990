// Which federations have pods: fed by informer events, answers which federations changed.
// Pure bookkeeping so the reconciler's decisions can be tested without a cluster.

export class FederationTracker {
  readonly #podFederation = new Map<string, string>();
  readonly #counts = new Map<string, number>();

  /** A pod was added or updated; `federation` undefined when it carries no (or an empty) label. Returns changed federations. */
  upsert(podKey: string, federation: string | undefined): string[] {
    const before = this.#podFederation.get(podKey);
    if (before === federation) return [];
    const changed: string[] = [];
    if (before !== undefined) changed.push(...this.#remove(podKey, before));
    if (federation) {
      this.#podFederation.set(podKey, federation);
      const n = (this.#counts.get(federation) ?? 0) + 1;
      this.#counts.set(federation, n);
      if (n === 1) changed.push(federation);
    }
    return changed;
  }

  delete(podKey: string): string[] {
    const before = this.#podFederation.get(podKey);
    return before === undefined ? [] : this.#remove(podKey, before);
  }

  count(federation: string): number {
    return this.#counts.get(federation) ?? 0;
  }

  federations(): string[] {
    return [...this.#counts.keys()].sort();
  }

  #remove(podKey: string, federation: string): string[] {
    this.#podFederation.delete(podKey);
    const n = (this.#counts.get(federation) ?? 1) - 1;
    if (n > 0) {
      this.#counts.set(federation, n);
      return [];
    }
    this.#counts.delete(federation);
    return [federation];
  }
}
