/** Dependency graphs of computed tags: nodes are 'device/tag' references, edges point at a node's inputs. */

export function splitReference(reference: string): { device: string; tag: string } {
  const slash = reference.indexOf('/');
  return { device: reference.slice(0, slash), tag: reference.slice(slash + 1) };
}

/**
 * Every cycle of the graph, each once, as the list of its nodes starting from its first node in `order`
 * (so the same cycle is named the same way wherever it is found).
 */
export function findCycles(inputs: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();
  const order = [...inputs.keys()];
  const rank = new Map(order.map((node, i) => [node, i]));

  const visit = (node: string): void => {
    state.set(node, 'active');
    stack.push(node);
    for (const input of inputs.get(node) ?? []) {
      if (!inputs.has(input)) continue;
      const seen = state.get(input);
      if (seen === 'active') {
        const cycle = stack.slice(stack.indexOf(input));
        const first = cycle.reduce((a, b) => ((rank.get(a) ?? 0) <= (rank.get(b) ?? 0) ? a : b));
        const start = cycle.indexOf(first);
        const named = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(named.join('\u0000'), named);
      } else if (seen === undefined) visit(input);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of order) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

/** Nodes ordered so that every node comes after the nodes it depends on (the graph has no cycle). */
export function topologicalOrder(nodes: readonly string[], inputs: ReadonlyMap<string, readonly string[]>): string[] {
  const wanted = new Set(nodes);
  const done = new Set<string>();
  const order: string[] = [];
  const visit = (node: string): void => {
    if (done.has(node)) return;
    done.add(node);
    for (const input of inputs.get(node) ?? []) if (wanted.has(input)) visit(input);
    order.push(node);
  };
  for (const node of nodes) visit(node);
  return order;
}
