import { modelGroupSchema, modelSchema } from '../../core/model-schema.js';
import type { NorthContext } from '../../core/plugin.js';
import { modelGroupTopic, modelTopic } from '../../core/uns.js';

type Publish = (topic: string, payload: string) => void;

/**
 * The retained data contracts of the models this app's devices are built from:
 * `{gateway.uns}/_models/{model}` and, with format `group`, one schema per group beside it.
 * Republished when they change; a contract no device uses any more is cleared.
 */
export class ModelContracts {
  private published = new Map<string, string>();

  constructor(
    private readonly ctx: NorthContext,
    private readonly withGroups: boolean,
  ) {}

  private wanted(): Map<string, string> {
    const out = new Map<string, string>();
    for (const model of this.ctx.models?.() ?? []) {
      out.set(modelTopic(this.ctx.gateway, model.name), JSON.stringify(modelSchema(model)));
      if (!this.withGroups) continue;
      for (const group of model.groups) {
        out.set(
          modelGroupTopic(this.ctx.gateway, model.name, group.name),
          JSON.stringify(modelGroupSchema(model, group)),
        );
      }
    }
    return out;
  }

  /** After a (re)connect: every contract, whatever was sent before. */
  publishAll(publish: Publish): void {
    this.published = this.wanted();
    for (const [topic, payload] of this.published) publish(topic, payload);
  }

  /** After a configuration change: the changed contracts, and an empty retained message for removed ones. */
  publishChanges(publish: Publish): void {
    const next = this.wanted();
    for (const [topic, payload] of next) if (this.published.get(topic) !== payload) publish(topic, payload);
    for (const topic of this.published.keys()) if (!next.has(topic)) publish(topic, '');
    this.published = next;
  }
}
