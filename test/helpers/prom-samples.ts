/** Prometheus text samples as label maps, for asserting on Skiff's `/stats/prometheus`. */

/** One sample: its labels (escapes kept as written) and value. */
export interface PromTextSample {
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** The samples of `name` with labels in a Prometheus text exposition. */
export function promSamples(text: string, name: string): PromTextSample[] {
  const out: PromTextSample[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const close = line.lastIndexOf('}');
    const labels: Record<string, string> = {};
    for (const m of line.slice(name.length + 1, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[m[1]!] = m[2]!;
    out.push({ labels, value: Number(line.slice(close + 2)) });
  }
  return out;
}

/** Scrapes `${adminBase}/stats/prometheus` and returns the samples of `name`. */
export async function scrapeSamples(adminBase: string, name: string): Promise<PromTextSample[]> {
  return promSamples(await (await fetch(`${adminBase}/stats/prometheus`)).text(), name);
}
