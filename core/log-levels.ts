import pino, { type Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

export interface LevelOverride {
  /** `gateway`, `device:NAME` or `north:NAME`. */
  target: string;
  level: LogLevelName;
  setAt: number;
  revertsAt: number;
}

type Internals = Record<string | symbol, unknown>;

/** `device:NAME` / `north:NAME` from a logger's bindings (those the gateway gives its children). */
function targetOf(logger: Logger): string | undefined {
  // Cheap test on pino's serialised bindings first: fastify makes a child per HTTP request.
  const chindings = (logger as unknown as Internals)[pino.symbols.chindingsSym];
  if (typeof chindings !== 'string' || !/"(device|north)":/.test(chindings)) return undefined;
  const bindings = logger.bindings();
  if (typeof bindings.device === 'string') return `device:${bindings.device}`;
  if (typeof bindings.north === 'string') return `north:${bindings.north}`;
  return undefined;
}

/**
 * Runtime log levels per device, north app or the whole gateway, each reverting by itself
 * after a while (like Neuron's debug mode). Knows every logger of one root: the root is
 * `gateway`; children bound to a device or north app are found through pino's onChild, so
 * a device restarted while its level is raised comes back with the raised level.
 */
export class LogLevels {
  private readonly loggers = new Map<string, Set<WeakRef<Logger>>>();
  private readonly overrides = new Map<string, { override: LevelOverride; timer: NodeJS.Timeout }>();
  /** A logger's own level before the override; null = it followed its parent. */
  private readonly before = new WeakMap<Logger, string | null>();

  /** For pino's `onChild`. */
  adopt(child: Logger): void {
    const target = targetOf(child);
    if (target) this.add(target, child);
  }

  add(target: string, logger: Logger): void {
    let set = this.loggers.get(target);
    if (!set) {
      set = new Set();
      this.loggers.set(target, set);
    }
    for (const ref of set) if (!ref.deref()) set.delete(ref);
    set.add(new WeakRef(logger));
    const active = this.overrides.get(target);
    if (active) this.raise(logger, active.override.level);
  }

  /** Sets a target's level until `revertAfterSeconds` have passed; replaces an override it already has. */
  set(target: string, level: LogLevelName, revertAfterSeconds: number): LevelOverride {
    const previous = this.overrides.get(target);
    if (previous) clearTimeout(previous.timer);
    const now = Date.now();
    const override = { target, level, setAt: now, revertsAt: now + revertAfterSeconds * 1000 };
    const timer = setTimeout(() => {
      this.revert(target);
      this.live('gateway')[0]?.info({ target }, 'log level reverted');
    }, revertAfterSeconds * 1000);
    timer.unref();
    this.overrides.set(target, { override, timer });
    for (const logger of this.live(target)) this.raise(logger, level);
    return override;
  }

  /** Puts the target's loggers back as they were; false when it had no override. */
  revert(target: string): boolean {
    const active = this.overrides.get(target);
    if (!active) return false;
    clearTimeout(active.timer);
    this.overrides.delete(target);
    for (const logger of this.live(target)) this.restore(logger);
    return true;
  }

  list(): LevelOverride[] {
    return [...this.overrides.values()].map((o) => o.override);
  }

  /** Level of a target's logger as it is now (the first live one), for the API. */
  currentLevel(target: string): string | undefined {
    return this.live(target)[0]?.level;
  }

  private live(target: string): Logger[] {
    return [...(this.loggers.get(target) ?? [])].flatMap((ref) => ref.deref() ?? []);
  }

  private raise(logger: Logger, level: LogLevelName): void {
    if (!this.before.has(logger)) this.before.set(logger, ownsLevel(logger) ? logger.level : null);
    logger.level = level;
  }

  private restore(logger: Logger): void {
    const before = this.before.get(logger);
    if (before === undefined) return;
    this.before.delete(logger);
    if (before === null) followParent(logger);
    else logger.level = before;
  }
}

/** pino children share their parent's level through the prototype until given their own. */
function ownsLevel(logger: Logger): boolean {
  return Object.hasOwn(logger, pino.symbols.levelValSym);
}

/** Drops a child's own level so that it follows its parent again (pino keeps it in own properties). */
function followParent(logger: Logger): void {
  const own = logger as unknown as Internals;
  if (!Object.getPrototypeOf(logger) || !ownsLevel(logger)) return;
  Reflect.deleteProperty(own, pino.symbols.levelValSym);
  for (const name of Object.keys(logger.levels.values)) Reflect.deleteProperty(own, name);
}

const registries = new WeakMap<Logger, LogLevels>();

/** Creates a root logger whose level overrides are managed (see `logLevelsOf`). */
export function managedLogger(make: (onChild: (child: Logger) => void) => Logger): Logger {
  const levels = new LogLevels();
  const root = make((child) => levels.adopt(child));
  levels.add('gateway', root);
  registries.set(root, levels);
  return root;
}

/** The level overrides of a root logger made by `managedLogger`. */
export function logLevelsOf(root: Logger): LogLevels | undefined {
  return registries.get(root);
}
