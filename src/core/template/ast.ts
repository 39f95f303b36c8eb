/** Parse tree of a template, mirroring the node kinds of Go's `text/template/parse`. */

export type Node =
  | ListNode
  | TextNode
  | ActionNode
  | PipeNode
  | CommandNode
  | IdentifierNode
  | VariableNode
  | DotNode
  | NilNode
  | FieldNode
  | ChainNode
  | BoolNode
  | NumberNode
  | StringNode
  | BranchNode
  | BreakNode
  | ContinueNode
  | TemplateNode;

interface Positioned {
  /** Offset of the node's first token in the template source. */
  readonly pos: number;
}

export interface ListNode extends Positioned {
  readonly type: 'list';
  readonly nodes: Node[];
}
export interface TextNode extends Positioned {
  readonly type: 'text';
  readonly text: string;
}
export interface ActionNode extends Positioned {
  readonly type: 'action';
  readonly pipe: PipeNode;
}
export interface PipeNode extends Positioned {
  readonly type: 'pipe';
  /** `$x = ...` (assign) rather than `$x := ...` (declare). */
  isAssign: boolean;
  readonly decl: VariableNode[];
  readonly cmds: CommandNode[];
}
export interface CommandNode extends Positioned {
  readonly type: 'command';
  readonly args: Node[];
}
export interface IdentifierNode extends Positioned {
  readonly type: 'identifier';
  readonly name: string;
}
/** `$x.a.b`: ident[0] is the variable name including `$`. */
export interface VariableNode extends Positioned {
  readonly type: 'variable';
  readonly ident: string[];
}
export interface DotNode extends Positioned {
  readonly type: 'dot';
}
export interface NilNode extends Positioned {
  readonly type: 'nil';
}
/** `.a.b`, stored without the dots. */
export interface FieldNode extends Positioned {
  readonly type: 'field';
  readonly ident: string[];
}
/** `(pipeline).a.b` or a field of any other non-field term. */
export interface ChainNode extends Positioned {
  readonly type: 'chain';
  readonly node: Node;
  readonly field: string[];
}
export interface BoolNode extends Positioned {
  readonly type: 'bool';
  readonly value: boolean;
}
/** A numeric or character constant; Go keeps every representation the text allows. */
export interface NumberNode extends Positioned {
  readonly type: 'number';
  readonly text: string;
  readonly isInt: boolean;
  readonly isFloat: boolean;
  readonly int: bigint;
  readonly float: number;
  readonly isChar: boolean;
}
export interface StringNode extends Positioned {
  readonly type: 'string';
  readonly quoted: string;
  readonly text: string;
}
export interface BranchNode extends Positioned {
  readonly type: 'if' | 'range' | 'with';
  readonly pipe: PipeNode;
  readonly list: ListNode;
  readonly elseList: ListNode | null;
}
export interface BreakNode extends Positioned {
  readonly type: 'break';
}
export interface ContinueNode extends Positioned {
  readonly type: 'continue';
}
export interface TemplateNode extends Positioned {
  readonly type: 'template';
  readonly name: string;
  readonly pipe: PipeNode | null;
}

/** Source-like rendering of a node, as Go prints it in `at <...>` error context. */
export function nodeToString(n: Node): string {
  switch (n.type) {
    case 'list':
      return n.nodes.map(nodeToString).join('');
    case 'text':
      return JSON.stringify(n.text);
    case 'action':
      return `{{${nodeToString(n.pipe)}}}`;
    case 'pipe': {
      const decl = n.decl.length > 0 ? `${n.decl.map(nodeToString).join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      return decl + n.cmds.map(nodeToString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.type === 'pipe' ? `(${nodeToString(a)})` : nodeToString(a))).join(' ');
    case 'identifier':
      return n.name;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((i) => `.${i}`).join('');
    case 'chain': {
      const inner = n.node.type === 'pipe' ? `(${nodeToString(n.node)})` : nodeToString(n.node);
      return inner + n.field.map((f) => `.${f}`).join('');
    }
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with': {
      const elsePart = n.elseList ? `{{else}}${nodeToString(n.elseList)}` : '';
      return `{{${n.type} ${nodeToString(n.pipe)}}}${nodeToString(n.list)}${elsePart}{{end}}`;
    }
    case 'break':
      return '{{break}}';
    case 'continue':
      return '{{continue}}';
    case 'template':
      return n.pipe ? `{{template ${JSON.stringify(n.name)} ${nodeToString(n.pipe)}}}` : `{{template ${JSON.stringify(n.name)}}}`;
  }
}
