/**
 * Recursive-descent parser for Go's text/template, a port of `text/template/parse/parse.go`.
 * Produces one tree per template name (the main one plus every `define` and `block`).
 */
import type {
  BranchNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  VariableNode,
} from './ast.ts';
import { lex, type Item, type ItemType } from './lexer.ts';
import { parseGoFloat, parseGoInt, unquoteGo } from './go-literals.ts';
import { positionIn } from './position.ts';
import { TemplateError } from './template-error.ts';

/** `{{else}}` and `{{end}}` only exist while parsing; they never reach a finished tree. */
interface MarkerNode {
  readonly type: 'else' | 'end';
  readonly pos: number;
}
type ParsedItem = Node | MarkerNode;

export interface ParseResult {
  readonly root: ListNode;
  readonly defines: ReadonlyMap<string, ListNode>;
}

/**
 * Most nested levels of control structures ({{if}}, {{range}}, {{with}}, {{block}}, {{define}})
 * and parenthesized pipelines together. Go limits parentheses to 10,000 (parse.go maxStackDepth,
 * "max expression depth exceeded") and control structures not at all; this parser recurses per
 * level on Node's fixed stack, which overflowed near 1,600 (docs/limits.md).
 */
export const MAX_TEMPLATE_NESTING = 1_000;

/** Parses `source`; `isFunction` says which identifiers name callable functions. */
export function parseSource(source: string, name: string, isFunction: (name: string) => boolean): ParseResult {
  return new Parser(source, name, isFunction).parseAll();
}

class Parser {
  readonly source: string;
  readonly name: string;
  readonly isFunction: (name: string) => boolean;
  readonly items: Item[];
  readonly defines = new Map<string, ListNode>();
  index = 0;
  vars: string[] = ['$'];
  rangeDepth = 0;
  /** Open control structures and parentheses (MAX_TEMPLATE_NESTING). */
  nesting = 0;

  constructor(source: string, name: string, isFunction: (name: string) => boolean) {
    this.source = source;
    this.name = name;
    this.isFunction = isFunction;
    this.items = lex(source);
  }

  parseAll(): ParseResult {
    const root: ListNode = { type: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        const afterDelim = this.index;
        const word = this.nextNonSpace();
        if (word.type === 'keyword' && word.val === 'define') {
          this.parseDefinition();
          continue;
        }
        this.index = afterDelim - 1;
        void delim;
      }
      const n = this.textOrAction();
      if (n === null) continue;
      if (n.type === 'end' || n.type === 'else') this.fail(`unexpected ${markerString(n)}`, n.pos);
      root.nodes.push(n as Node);
    }
    this.addTemplate(this.name, root);
    return { root, defines: this.defines };
  }

  // --- token stream -------------------------------------------------------------------------

  private peek(): Item {
    const item = this.items[this.index] ?? this.items[this.items.length - 1]!;
    if (item.type === 'error') this.fail(item.val, item.pos);
    return item;
  }

  private next(): Item {
    const item = this.peek();
    // Always advance, past the end too (peek keeps answering eof there), so that backup() undoes
    // exactly one next(): a peek at the end once stepped back onto the token before eof, and
    // `{{ if .a }}` at the end of a template failed as `unexpected "}}"` instead of Go's `unexpected EOF`.
    this.index++;
    return item;
  }

  private backup(count = 1): void {
    this.index -= count;
  }

  private nextNonSpace(): Item {
    let item = this.next();
    while (item.type === 'space') item = this.next();
    return item;
  }

  private peekNonSpace(): Item {
    const item = this.nextNonSpace();
    this.backup();
    return item;
  }

  private expect(type: ItemType, context: string): Item {
    const token = this.nextNonSpace();
    if (token.type !== type) this.unexpected(token, context);
    return token;
  }

  private isKeyword(item: Item, word: string): boolean {
    return item.type === 'keyword' && item.val === word;
  }

  private fail(message: string, pos: number): never {
    const position = positionIn(this.source, pos);
    throw new TemplateError('parse', this.name, `template: ${this.name}:${position.line}:${position.column}: ${message}`, position);
  }

  private unexpected(item: Item, context: string): never {
    if (item.type === 'error') this.fail(item.val, item.pos);
    this.fail(`unexpected ${itemString(item)} in ${context}`, item.pos);
  }

  // --- structure ----------------------------------------------------------------------------

  private addTemplate(name: string, list: ListNode): void {
    const existing = this.defines.get(name);
    if (existing && !isEmptyList(existing) && !isEmptyList(list)) {
      this.fail(`template: multiple definition of template ${JSON.stringify(name)}`, list.pos);
    }
    if (!existing || isEmptyList(existing)) this.defines.set(name, list);
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const token = this.nextNonSpace();
    if (token.type !== 'string' && token.type !== 'rawString') this.unexpected(token, context);
    const name = unquoteGo(token.val);
    if (name === null) this.fail('invalid syntax', token.pos);
    this.expect('rightDelim', context);
    const outerVars = this.vars;
    this.vars = ['$'];
    const [list, end] = this.itemList();
    this.vars = outerVars;
    if (end.type !== 'end') this.fail(`unexpected ${markerString(end)} in ${context}`, end.pos);
    this.addTemplate(name, list);
  }

  private itemList(): [ListNode, MarkerNode] {
    const list: ListNode = { type: 'list', pos: this.peekNonSpace().pos, nodes: [] };
    return this.nested(list.pos, 'max nesting depth exceeded', () => {
      while (this.peekNonSpace().type !== 'eof') {
        const n = this.textOrAction();
        if (n === null) continue;
        if (n.type === 'end' || n.type === 'else') return [list, n as MarkerNode];
        list.nodes.push(n as Node);
      }
      this.fail('unexpected EOF', this.peek().pos);
    });
  }

  /** Runs `parse` one level deeper, failing with `message` beyond MAX_TEMPLATE_NESTING levels. */
  private nested<T>(pos: number, message: string, parse: () => T): T {
    if (this.nesting >= MAX_TEMPLATE_NESTING) this.fail(`${message} (${MAX_TEMPLATE_NESTING} levels of control structures and parentheses)`, pos);
    this.nesting++;
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private textOrAction(): ParsedItem | null {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'text':
        return { type: 'text', pos: token.pos, text: token.val };
      case 'leftDelim':
        return this.action();
      case 'comment':
        return null;
      default:
        this.unexpected(token, 'input');
    }
  }

  private action(): ParsedItem {
    const token = this.nextNonSpace();
    if (token.type === 'keyword') {
      switch (token.val) {
        case 'block':
          return this.blockControl();
        case 'break':
        case 'continue':
          return this.loopControl(token);
        case 'else':
          return this.elseControl();
        case 'end':
          return { type: 'end', pos: this.expect('rightDelim', 'end').pos };
        case 'if':
        case 'range':
        case 'with':
          return this.branchControl(token.val);
        case 'template':
          return this.templateControl();
        default:
          break;
      }
    }
    this.backup();
    const start = this.peek();
    return { type: 'action', pos: start.pos, pipe: this.pipeline('command', 'rightDelim') };
  }

  private loopControl(token: Item): Node {
    const next = this.nextNonSpace();
    if (next.type !== 'rightDelim') this.unexpected(next, `{{${token.val}}}`);
    if (this.rangeDepth === 0) this.fail(`{{${token.val}}} outside {{range}}`, token.pos);
    return token.val === 'break' ? { type: 'break', pos: token.pos } : { type: 'continue', pos: token.pos };
  }

  private elseControl(): MarkerNode {
    const peek = this.peekNonSpace();
    // `{{else if}}` / `{{else with}}` leave the keyword pending for branchControl.
    if (this.isKeyword(peek, 'if') || this.isKeyword(peek, 'with')) return { type: 'else', pos: peek.pos };
    return { type: 'else', pos: this.expect('rightDelim', 'else').pos };
  }

  private branchControl(context: 'if' | 'range' | 'with'): BranchNode {
    const varsMark = this.vars.length;
    try {
      const pipe = this.pipeline(context, 'rightDelim');
      if (context === 'range') this.rangeDepth++;
      const [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next.type === 'else') {
        const peek = this.peek();
        if ((context === 'if' || context === 'with') && this.isKeyword(peek, context)) {
          this.next();
          elseList = { type: 'list', pos: next.pos, nodes: [this.branchControl(context)] };
        } else {
          const [elseItems, end] = this.itemList();
          if (end.type !== 'end') this.fail(`expected end; found ${markerString(end)}`, end.pos);
          elseList = elseItems;
        }
      }
      return { type: context, pos: pipe.pos, pipe, list, elseList };
    } finally {
      this.vars.length = varsMark;
    }
  }

  private blockControl(): TemplateNode {
    const context = 'block clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const outerVars = this.vars;
    const outerDepth = this.rangeDepth;
    this.vars = ['$'];
    this.rangeDepth = 0;
    const [list, end] = this.itemList();
    this.vars = outerVars;
    this.rangeDepth = outerDepth;
    if (end.type !== 'end') this.fail(`unexpected ${markerString(end)} in ${context}`, end.pos);
    this.addTemplate(name, list);
    return { type: 'template', pos: token.pos, name, pipe };
  }

  private templateControl(): TemplateNode {
    const context = 'template clause';
    const token = this.nextNonSpace();
    const name = this.templateName(token, context);
    let pipe: PipeNode | null = null;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: token.pos, name, pipe };
  }

  private templateName(token: Item, context: string): string {
    if (token.type !== 'string' && token.type !== 'rawString') this.unexpected(token, context);
    const name = unquoteGo(token.val);
    if (name === null) this.fail('invalid syntax', token.pos);
    return name;
  }

  // --- pipelines ----------------------------------------------------------------------------

  private pipeline(context: string, end: 'rightDelim' | 'rightParen'): PipeNode {
    const start = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: start.pos, isAssign: false, decl: [], cmds: [] };
    this.parseDeclarations(pipe, context);
    for (;;) {
      const token = this.nextNonSpace();
      if (token.type === end) {
        this.checkPipeline(pipe, context, token);
        return pipe;
      }
      switch (token.type) {
        case 'bool':
        case 'charConstant':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private parseDeclarations(pipe: PipeNode, context: string): void {
    for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') return;
      const mark = this.index;
      this.nextNonSpace();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        return;
      }
      if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push({ type: 'variable', pos: v.pos, ident: [v.val] });
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const after = this.peekNonSpace().type;
          if (after === 'variable' || after === 'rightDelim' || after === 'rightParen') continue;
          this.fail('range can only initialize variables', next.pos);
        }
        this.fail(`too many declarations in ${context}`, next.pos);
      }
      this.index = mark;
      return;
    }
  }

  private checkPipeline(pipe: PipeNode, context: string, endToken: Item): void {
    if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`, endToken.pos);
    pipe.cmds.slice(1).forEach((c, i) => {
      const first = c.args[0]!;
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(first.type)) {
        this.fail(`non executable command in pipeline stage ${i + 2}`, first.pos);
      }
    });
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand) cmd.args.push(operand);
      const token = this.next();
      if (token.type === 'space') continue;
      if (token.type === 'rightDelim' || token.type === 'rightParen') this.backup();
      else if (token.type !== 'pipe') this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.fail('empty command', cmd.pos);
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const chainPos = this.peek().pos;
    const fields: string[] = [];
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term ${JSON.stringify(termText(node))}`, chainPos);
      default:
        return { type: 'chain', pos: chainPos, node, field: fields };
    }
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.type) {
      case 'identifier':
        if (!this.isFunction(token.val)) this.fail(`function ${JSON.stringify(token.val)} not defined`, token.pos);
        return { type: 'identifier', pos: token.pos, name: token.val };
      case 'dot':
        return { type: 'dot', pos: token.pos };
      case 'nil':
        return { type: 'nil', pos: token.pos };
      case 'variable':
        return this.useVar(token);
      case 'field':
        return { type: 'field', pos: token.pos, ident: [token.val.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: token.pos, value: token.val === 'true' };
      case 'charConstant':
      case 'number':
        return this.numberNode(token);
      case 'leftParen':
        return this.nested(token.pos, 'max expression depth exceeded', () => this.pipeline('parenthesized pipeline', 'rightParen'));
      case 'string':
      case 'rawString': {
        const text = unquoteGo(token.val);
        if (text === null) this.fail('invalid syntax', token.pos);
        return { type: 'string', pos: token.pos, quoted: token.val, text };
      }
      default:
        this.backup();
        return null;
    }
  }

  private useVar(token: Item): VariableNode {
    const ident = token.val.split('.');
    if (!this.vars.includes(ident[0]!)) this.fail(`undefined variable ${JSON.stringify(ident[0])}`, token.pos);
    return { type: 'variable', pos: token.pos, ident };
  }

  private numberNode(token: Item): NumberNode {
    const text = token.val;
    const base = { type: 'number' as const, pos: token.pos, text };
    if (token.type === 'charConstant') {
      const rune = unquoteGo(text);
      if (rune === null) this.fail(`malformed character constant: ${text}`, token.pos);
      const cp = rune.codePointAt(0)!;
      return { ...base, isInt: true, isFloat: true, int: BigInt(cp), float: cp, isChar: true };
    }
    if (text.endsWith('i')) this.fail(`complex constants are not supported: ${text}`, token.pos);
    const int = parseGoInt(text);
    if (int !== null) return { ...base, isInt: true, isFloat: true, int, float: Number(int), isChar: false };
    const float = parseGoFloat(text);
    if (float === null) this.fail(`illegal number syntax: ${JSON.stringify(text)}`, token.pos);
    if (!/[.eEpP]/.test(text)) this.fail(`integer overflow: ${JSON.stringify(text)}`, token.pos);
    const isInt = Number.isInteger(float) && Math.abs(float) < 2 ** 63;
    return { ...base, isInt, isFloat: true, int: isInt ? BigInt(float) : 0n, float, isChar: false };
  }
}

function isEmptyList(list: ListNode): boolean {
  return list.nodes.every((n) => n.type === 'text' && n.text.trim() === '');
}

function markerString(n: MarkerNode): string {
  return `{{${n.type}}}`;
}

function termText(n: Node): string {
  switch (n.type) {
    case 'bool':
      return String(n.value);
    case 'string':
      return n.quoted;
    case 'number':
      return n.text;
    case 'nil':
      return 'nil';
    default:
      return '.';
  }
}

/** Go's `item.String()`: how a token is quoted in parse errors. */
function itemString(item: Item): string {
  switch (item.type) {
    case 'eof':
      return 'EOF';
    case 'error':
      return item.val;
    case 'keyword':
      return `<${item.val}>`;
    default:
      if ([...item.val].length > 10) return `${JSON.stringify([...item.val].slice(0, 10).join(''))}...`;
      return JSON.stringify(item.val);
  }
}
