// Every parser in the benchmark sits behind this one interface and gets identical inputs.

export interface ParserAdapter {
  name: string;
  /** What the adapter does per sample, for the report. */
  work: string;
  /** Parse `text` and visit its samples; returns a checksum so the work cannot be optimised away. */
  run(text: string): number;
}
