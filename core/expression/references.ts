import type { ExpressionNode } from './ast.js';

/** The references of a tree in order of first use, each once. */
export function collectReferences(tree: ExpressionNode): string[] {
  const seen = new Set<string>();
  const visit = (node: ExpressionNode): void => {
    switch (node.kind) {
      case 'reference':
        seen.add(node.reference);
        return;
      case 'unary':
        visit(node.argument);
        return;
      case 'binary':
        visit(node.left);
        visit(node.right);
        return;
      case 'conditional':
        visit(node.test);
        visit(node.consequent);
        visit(node.alternate);
        return;
      case 'call':
        node.args.forEach(visit);
        return;
      case 'literal':
        return;
    }
  };
  visit(tree);
  return [...seen];
}
