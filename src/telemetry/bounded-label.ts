/**
 * A metric label whose values are fixed at start-up. Each distinct label value is a time series kept
 * forever, so values that come from clients (operation names, client names) are mapped onto a known
 * set: a name known in advance is itself, a missing one is the `absent` value, anything else `other`.
 * First-come admission would let the first few hundred invented names crowd out the real ones.
 */
export const OTHER_LABEL = 'other';

export class BoundedLabel {
  private readonly known: ReadonlySet<string>;

  constructor(
    known: Iterable<string>,
    private readonly absent: string,
  ) {
    this.known = new Set(known);
  }

  label(value: string | null | undefined): string {
    if (value === undefined || value === null || value === '') return this.absent;
    return this.known.has(value) ? value : OTHER_LABEL;
  }

  /** How many values the label can take: the bound on its series. */
  get size(): number {
    return this.known.size + 2;
  }
}
