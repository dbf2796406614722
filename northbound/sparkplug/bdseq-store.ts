import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The birth/death sequence number (Sparkplug 3.0 §4.2.1.1): 0 on the very first MQTT
 * CONNECT, then +1 (mod 256) on every CONNECT, also across restarts. The value is on
 * disk before the CONNECT carrying it is sent, so a crash can never reuse it.
 */
export class BdSeqStore {
  constructor(readonly file: string) {}

  static forApp(dataDir: string, appName: string): BdSeqStore {
    return new BdSeqStore(join(dataDir, 'sparkplug', `${appName}.bdseq.json`));
  }

  /** The last bdSeq used, or undefined when this app never connected (or the file is unreadable). */
  last(): number | undefined {
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, 'utf8'));
      const value = (parsed as { bdSeq?: unknown } | null)?.bdSeq;
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255 ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** Takes the bdSeq for the next CONNECT and records it. */
  next(): number {
    const last = this.last();
    const value = last === undefined ? 0 : (last + 1) % 256;
    mkdirSync(dirname(this.file), { recursive: true });
    // Write and rename: a crash mid-write leaves the old value, never a torn file.
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ bdSeq: value, at: new Date().toISOString() })}\n`);
    renameSync(tmp, this.file);
    return value;
  }
}
