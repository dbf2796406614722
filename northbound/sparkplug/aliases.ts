/**
 * Metric aliases of one edge node: a unique integer per metric across the node and all
 * its devices (Sparkplug 3.0 §6.4.6). A metric keeps its alias for as long as the app
 * runs, through rebirths and configuration changes; new metrics get the next free number,
 * and the numbers of removed metrics are not reused, so a late message can never be
 * mistaken for another metric.
 */
export class AliasTable {
  private readonly byKey = new Map<string, number>();
  private readonly byAlias = new Map<number, MetricKey>();
  private nextAlias = 0;

  /** Assigns aliases, in the order given, to metrics that do not have one yet. */
  assign(keys: Iterable<MetricKey>): void {
    for (const key of keys) {
      const k = keyString(key);
      if (this.byKey.has(k)) continue;
      this.byKey.set(k, this.nextAlias);
      this.byAlias.set(this.nextAlias, key);
      this.nextAlias++;
    }
  }

  get(key: MetricKey): number | undefined {
    return this.byKey.get(keyString(key));
  }

  /** The metric an alias stands for (NCMD/DCMD address metrics by alias). */
  lookup(alias: number): MetricKey | undefined {
    return this.byAlias.get(alias);
  }
}

/** A node metric has no device. */
export interface MetricKey {
  device?: string;
  metric: string;
}

function keyString(key: MetricKey): string {
  // Device names never contain "/" (config NAME_PATTERN); node metrics use the empty device.
  return `${key.device ?? ''}/${key.metric}`;
}
