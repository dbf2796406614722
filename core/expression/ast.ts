/** The expression tree after parsing: only the node kinds the language has, each with its source position. */
export type ExpressionNode =
  | { kind: 'literal'; value: number | boolean | string | bigint; start: number }
  | { kind: 'reference'; reference: string; start: number }
  | { kind: 'unary'; operator: string; argument: ExpressionNode; start: number }
  | { kind: 'binary'; operator: string; left: ExpressionNode; right: ExpressionNode; start: number }
  | { kind: 'conditional'; test: ExpressionNode; consequent: ExpressionNode; alternate: ExpressionNode; start: number }
  | { kind: 'call'; name: string; args: ExpressionNode[]; start: number };
