/**
 * Executes a parsed template with Go's text/template semantics and ESO's option
 * `missingkey=error` (or Go's default, `missingkey=invalid`, when asked: ExecLimits.missingKey), a
 * port of `text/template/exec.go` over the value model in values.ts.
 */
import { nodeToString, type BranchNode, type ChainNode, type CommandNode, type FieldNode, type IdentifierNode, type ListNode, type Node, type NumberNode, type PipeNode, type VariableNode } from './ast.ts';
import { GoTime } from './go-time.ts';
import { goTimeMethod } from './sprig-date.ts';
import type { CallContext, FuncTable, ParamType, TemplateFunc } from './func-table.ts';
import { canonicalGoString } from '../go-string.ts';
import { formatV } from './go-fmt.ts';
import { positionIn } from './position.ts';
import { FuncError, TemplateError, type TemplateErrorKind } from './template-error.ts';
import { byteLength, goInt, GoObject, GoTypedInt, goTypeName, isExported, isGoMap, isNil, isStringMap, isTrue, sortedKeys, type GoMap } from './values.ts';

export interface ExecLimits {
  readonly maxOutputBytes: number;
  /** Largest value a function may make (index.ts ExecuteOptions.maxValueBytes). */
  readonly maxValueBytes: number;
  readonly maxSteps: number;
  /** Milliseconds of `clockMs` one render may take (index.ts ExecuteOptions.maxRenderMs). */
  readonly maxRenderMs?: number;
  readonly clockMs?: () => number;
  /** What sprig's `now` returns during this render. */
  readonly now?: GoTime;
  /**
   * Go's `missingkey` option: `error` (ESO's target templates) fails on a map key that is not there;
   * `invalid` (text/template's default, which ESO's Webhook templates keep) yields Go's invalid
   * value, printed `<no value>`, and a field of it is invalid too. Default `error`.
   */
  readonly missingKey?: 'error' | 'invalid';
}

export interface ExecTemplate {
  readonly name: string;
  readonly source: string;
  readonly defines: ReadonlyMap<string, ListNode>;
}

/** Go's maxExecDepth is 100000; a JavaScript stack runs out long before that. */
const MAX_TEMPLATE_DEPTH = 1000;

/** "No final argument": distinct from every value, including nil. */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown | typeof MISSING;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

interface Variable {
  readonly name: string;
  value: unknown;
}

/** A value read out of a map[string]interface{}: Go's static type there is interface {}. */
interface Lookup {
  readonly value: unknown;
  readonly viaInterface: boolean;
}

export function execute(t: ExecTemplate, funcs: FuncTable, data: unknown, limits: ExecLimits): string {
  const root = t.defines.get(t.name);
  if (!root) throw new TemplateError('exec', t.name, `template: ${t.name}: "${t.name}" is an incomplete or empty template`);
  const state = new State(t, funcs, limits);
  state.vars.push({ name: '$', value: data });
  try {
    state.walk(data, root);
  } catch (e) {
    if (e instanceof RangeError && !(e instanceof TemplateError)) {
      throw state.error('limit', 'exceeded maximum template depth');
    }
    throw e;
  }
  return state.output.join('');
}

class State {
  readonly tmpl: ExecTemplate;
  readonly funcs: FuncTable;
  readonly limits: ExecLimits;
  readonly output: string[] = [];
  outputBytes = 0;
  steps = 0;
  /** The clock reading at the first step (ExecLimits.maxRenderMs). */
  startedMs: number | undefined;
  depth = 0;
  vars: Variable[] = [];
  node: Node | null = null;
  executing: string;

  constructor(tmpl: ExecTemplate, funcs: FuncTable, limits: ExecLimits) {
    this.tmpl = tmpl;
    this.funcs = funcs;
    this.limits = limits;
    this.executing = tmpl.name;
  }

  // --- errors -------------------------------------------------------------------------------

  at(node: Node): void {
    this.node = node;
  }

  error(kind: TemplateErrorKind, message: string): TemplateError {
    const name = this.tmpl.name;
    if (!this.node) return new TemplateError(kind, name, `template: ${this.executing}: ${message}`);
    const position = positionIn(this.tmpl.source, this.node.pos);
    const context = nodeToString(this.node);
    return new TemplateError(
      kind,
      name,
      `template: ${name}:${position.line}:${position.column}: executing ${JSON.stringify(this.executing)} at <${context}>: ${message}`,
      position,
    );
  }

  fail(message: string): never {
    throw this.error('exec', message);
  }

  private step(): void {
    if (++this.steps > this.limits.maxSteps) throw this.error('limit', `exceeded the limit of ${this.limits.maxSteps} execution steps`);
    const { clockMs, maxRenderMs } = this.limits;
    if (clockMs && maxRenderMs !== undefined) {
      this.startedMs ??= clockMs();
      if (clockMs() - this.startedMs > maxRenderMs) throw this.error('limit', `exceeded the limit of ${maxRenderMs} ms of rendering`);
    }
  }

  private write(text: string): void {
    this.outputBytes += byteLength(text);
    if (this.outputBytes > this.limits.maxOutputBytes) {
      throw this.error('limit', `output exceeds the limit of ${this.limits.maxOutputBytes} bytes`);
    }
    this.output.push(text);
  }

  checkSize(bytes: number): void {
    if (bytes > this.limits.maxValueBytes) throw this.error('limit', `a value exceeds the limit of ${this.limits.maxValueBytes} bytes`);
  }

  // --- variables ----------------------------------------------------------------------------

  private mark(): number {
    return this.vars.length;
  }

  private pop(mark: number): void {
    this.vars.length = mark;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i]!.name === name) {
        this.vars[i]!.value = value;
        return;
      }
    }
    this.fail(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: unknown): void {
    this.vars[this.vars.length - n]!.value = value;
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i]!.name === name) return this.vars[i]!.value;
    this.fail(`undefined variable: ${name}`);
  }

  // --- statements ---------------------------------------------------------------------------

  walk(dot: unknown, node: Node): void {
    this.step();
    this.at(node);
    switch (node.type) {
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(value);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node.name, node.pipe);
        return;
      case 'text':
        this.write(node.text);
        return;
      default:
        this.fail('unknown node');
    }
  }

  private walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      if (isTrue(value)) this.walk(node.type === 'with' ? value : dot, node.list);
      else if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: unknown, node: BranchNode): void {
    this.at(node);
    const outer = this.mark();
    try {
      const value = this.evalPipeline(dot, node.pipe);
      const mark = this.mark();
      const iterate = (index: unknown, elem: unknown): void => {
        const decl = node.pipe.decl;
        if (decl.length > 0) {
          if (node.pipe.isAssign) this.setVar(decl[0]!.ident[0]!, decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (node.pipe.isAssign) this.setVar(decl[1]!.ident[0]!, elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, node.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      try {
        if (this.rangeOver(value, node, iterate)) return;
      } catch (e) {
        if (e !== BREAK) throw e;
        return;
      }
      if (node.elseList) this.walk(dot, node.elseList);
    } finally {
      this.pop(outer);
    }
  }

  /** Returns false when there was nothing to iterate (so `else` runs). */
  private rangeOver(value: unknown, node: BranchNode, iterate: (index: unknown, elem: unknown) => void): boolean {
    if (isNil(value)) return false;
    if (Array.isArray(value)) {
      value.forEach((elem, i) => iterate(BigInt(i), elem));
      return value.length > 0;
    }
    if (isGoMap(value)) {
      const keys = sortedKeys(value);
      for (const k of keys) iterate(k, value[k]);
      return keys.length > 0;
    }
    const count = goInt(value);
    if (count !== undefined) {
      if (node.pipe.decl.length > 1) this.fail(`can't use ${goTypeName(value)} to iterate over more than one variable`);
      // Go's reflect.Value.Seq yields values of the integer's own type.
      const typed = value instanceof GoTypedInt ? value.type : undefined;
      for (let i = 0n; i < count; i++) iterate(i, typed ? new GoTypedInt(typed, i) : i);
      return count > 0n;
    }
    this.fail(`range can't iterate over a value of type ${goTypeName(value)}`);
  }

  private walkTemplate(dot: unknown, name: string, pipe: PipeNode | null): void {
    const body = this.tmpl.defines.get(name);
    if (!body) this.fail(`template ${JSON.stringify(name)} not defined`);
    if (this.depth >= MAX_TEMPLATE_DEPTH) throw this.error('limit', `exceeded maximum template depth (${MAX_TEMPLATE_DEPTH})`);
    const newDot = pipe ? this.evalPipeline(dot, pipe) : null;
    const saved = { vars: this.vars, executing: this.executing };
    this.vars = [{ name: '$', value: newDot }];
    this.executing = name;
    this.depth++;
    try {
      this.walk(newDot, body);
    } finally {
      this.depth--;
      this.vars = saved.vars;
      this.executing = saved.executing;
    }
  }

  private printValue(value: unknown): void {
    this.write(isNil(value) ? '<no value>' : formatV(value));
  }

  // --- expressions --------------------------------------------------------------------------

  evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const result = value === MISSING ? null : value;
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0]!, result);
      else this.vars.push({ name: v.ident[0]!, value: result });
    }
    return result;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    this.step();
    const first = cmd.args[0]!;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        this.fail('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
      default:
        this.fail(`can't evaluate command ${JSON.stringify(nodeToString(first))}`);
    }
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.fail(`can't give argument to non-function ${nodeToString(args[0]!)}`);
  }

  private idealConstant(n: NumberNode): unknown {
    this.at(n);
    if (n.isChar) return n.int;
    // Go's isHexInt: 0x... without a p exponent is an integer; 0x1p4 is a float.
    const isHexInt = /^0[xX]/.test(n.text) && !/[pP]/.test(n.text);
    const looksFloat = /[.eEpP]/.test(n.text) && !isHexInt;
    if (n.isFloat && looksFloat) return n.float;
    if (n.isInt) return n.int;
    return n.float;
  }

  private evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, { value: dot, viaInterface: false }, field, field.ident, args, final);
  }

  private evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    if (chain.node.type === 'nil') this.fail(`indirection through explicit nil in ${nodeToString(chain)}`);
    const receiver = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(dot, { value: receiver, viaInterface: false }, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: unknown, variable: VariableNode, args: Node[], final: Final): unknown {
    this.at(variable);
    const value = this.varValue(variable.ident[0]!);
    if (variable.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, { value, viaInterface: false }, variable, variable.ident.slice(1), args, final);
  }

  /**
   * Only the last name in the chain receives the command's arguments (and fails if there are any).
   * `node` is the field, chain or variable node: a method's error is reported at it, as Go does.
   */
  private evalFieldChain(dot: unknown, receiver: Lookup, node: Node, ident: string[], args: Node[], final: Final): unknown {
    let current = receiver;
    ident.forEach((name, i) => {
      const last = i === ident.length - 1;
      current = this.evalField(dot, name, node, current, last ? args : [], last ? final : MISSING, i === 0);
    });
    return current.value;
  }

  /** exec.go evalField: a method of the value, else a struct field, else a map key. */
  private evalField(dot: unknown, fieldName: string, node: Node, receiver: Lookup, args: Node[], final: Final, isFirst: boolean): Lookup {
    const value = receiver.value;
    const lenient = this.limits.missingKey === 'invalid';
    if (isNil(value)) {
      // exec.go evalField: an invalid receiver (a missing key before it) is only an error under
      // missingkey=error; a nil read through an interface is one whatever the option says.
      if (lenient && (isFirst || !receiver.viaInterface)) return { value: undefined, viaInterface: false };
      if (isFirst || !receiver.viaInterface) this.fail(`nil data; no entry for key ${JSON.stringify(fieldName)}`);
      this.fail(`nil pointer evaluating interface {}.${fieldName}`);
    }
    // Go's type of the receiver as the template holds it: a value read from a map[string]interface{}
    // is an interface {} (its methods are still found, through the interface).
    const typeName = receiver.viaInterface ? 'interface {}' : goTypeName(value);
    const method = methodOf(value, fieldName);
    if (method) return { value: this.evalCall(dot, method, fieldName, node, args, final), viaInterface: false };
    const hasArgs = args.length > 1 || final !== MISSING;
    if (value instanceof GoObject) {
      const field = value.fields().find(([name]) => name === fieldName);
      if (field) {
        if (!isExported(fieldName)) this.fail(`${fieldName} is an unexported field of struct type ${typeName}`);
        if (hasArgs) this.fail(`${fieldName} has arguments but cannot be invoked as function`);
        return { value: field[1], viaInterface: false };
      }
    }
    if (isGoMap(value)) {
      if (hasArgs) this.fail(`${fieldName} is not a method but has arguments`);
      if (!Object.hasOwn(value, fieldName)) {
        // missingkey=invalid: MapIndex's invalid value, passed on as it is.
        if (lenient) return { value: undefined, viaInterface: false };
        this.fail(`map has no entry for key ${JSON.stringify(fieldName)}`);
      }
      return { value: (value as GoMap)[fieldName], viaInterface: !isStringMap(value) };
    }
    this.fail(`can't evaluate field ${fieldName} in type ${typeName}`);
  }

  private evalFunction(dot: unknown, node: IdentifierNode, cmd: CommandNode, args: Node[], final: Final): unknown {
    this.at(node);
    const fn = this.funcs.get(node.name);
    if (!fn) this.fail(`${JSON.stringify(node.name)} is not a defined function`);
    return this.evalCall(dot, fn, node.name, cmd, args, final);
  }

  /**
   * exec.go evalCall for a function or a bound method: `allArgs[0]` is the function's own node,
   * and an error the call returns (or a panic) is reported at `node`.
   */
  private evalCall(dot: unknown, fn: TemplateFunc, name: string, node: Node, allArgs: Node[], final: Final): unknown {
    const args = allArgs.slice(1);
    const numIn = args.length + (final === MISSING ? 0 : 1);
    const numFixed = fn.variadic === undefined ? args.length : fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fn.params.length) this.fail(`wrong number of args for ${name}: want at least ${fn.params.length} got ${args.length}`);
    } else if (numIn !== fn.params.length) {
      this.fail(`wrong number of args for ${name}: want ${fn.params.length} got ${numIn}`);
    }

    if (name === 'and' || name === 'or') return this.evalAndOr(dot, name, args, final);

    const argv: unknown[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i]!, args[i]!));
    if (fn.variadic !== undefined) for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i]!));
    if (final !== MISSING) {
      const type = fn.variadic !== undefined && numIn - 1 >= numFixed ? fn.variadic : fn.params[numIn - 1]!;
      argv.push(this.validateType(final, type));
    }
    const literalArgs = args.map((a) => a.type === 'string');
    const ctx: CallContext = {
      name,
      isLiteralArg: (k) => literalArgs[k] === true,
      checkSize: (bytes) => this.checkSize(bytes),
      now: this.limits.now,
    };
    try {
      const result = fn.call(argv, ctx);
      // Every value a function returns is bounded (a string of n UTF-16 units has at least n UTF-8
      // bytes), so no loop can double a string until the process runs out of memory.
      if (typeof result === 'string' || result instanceof Uint8Array) this.checkSize(result.length);
      // Functions work on the escaped form of Go strings (core/go-string.ts); joining two of them can
      // put bytes side by side that form one UTF-8 character, so the result is brought back to the
      // one form Go's bytes have (a no-op scan for text, which almost every value is).
      return typeof result === 'string' ? canonicalGoString(result) : result;
    } catch (e) {
      this.at(node);
      if (e instanceof TemplateError) throw e;
      if (e instanceof FuncError) throw this.error(e.unsupported ? 'unsupported' : 'exec', `error calling ${name}: ${e.message}`);
      // A Go panic inside a function; its JavaScript message may quote a value, so only the kind is kept.
      throw this.error('exec', `error calling ${name}: ${e instanceof Error ? e.name : 'panic'}`);
    }
  }

  private evalAndOr(dot: unknown, name: 'and' | 'or', args: Node[], final: Final): unknown {
    let v: unknown = null;
    for (const arg of args) {
      v = this.evalArg(dot, 'value', arg);
      if (isTrue(v) === (name === 'or')) return v;
    }
    if (final !== MISSING) v = final;
    return v;
  }

  evalArg(dot: unknown, type: ParamType, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, type);
      case 'nil':
        if (canBeNil(type)) return null;
        this.fail(`cannot assign nil to ${goParamName(type)}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), type);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), type);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), type);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n, { type: 'command', pos: n.pos, args: [n] }, [n], MISSING), type);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), type);
      default:
        break;
    }
    switch (type) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        this.fail(`expected bool; found ${nodeToString(n)}`);
      case 'float64':
        if (n.type === 'number' && n.isFloat) return n.float;
        this.fail(`expected float; found ${nodeToString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return n.int;
        this.fail(`expected integer; found ${nodeToString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        this.fail(`expected string; found ${nodeToString(n)}`);
      case 'any':
      case 'value':
        return this.evalEmptyInterface(n);
      default:
        this.fail(`can't handle ${nodeToString(n)} for arg of type ${goParamName(type)}`);
    }
  }

  private evalEmptyInterface(n: Node): unknown {
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      default:
        this.fail(`can't handle assignment of ${n.type} to empty interface argument`);
    }
  }

  private validateType(value: unknown, type: ParamType): unknown {
    if (type === 'value' || type === 'any') return isNil(value) ? null : value;
    if (isNil(value)) {
      if (canBeNil(type)) return null;
      this.fail(`invalid value; expected ${goParamName(type)}`);
    }
    // exec.go validateType also dereferences a *T passed as a T, and takes the address of an
    // addressable T passed as a *T: no parameter here is a struct type, and the T values a
    // template holds (method results) are never addressable, so neither applies.
    if (isAssignable(value, type)) return value;
    this.fail(`wrong type for value; expected ${goParamName(type)}; got ${goTypeName(value)}`);
  }
}

/**
 * reflect's MethodByName as text/template uses it: the methods of time.Time and of GoObject
 * values (a T's method set lacks the methods declared on *T). Undefined when there is none.
 */
function methodOf(value: unknown, name: string): TemplateFunc | undefined {
  if (value instanceof GoTime) return goTimeMethod(value, name);
  if (value instanceof GoObject) return value.method(name);
  return undefined;
}

/** exec.go canBeNil: untyped nil converts to an interface, a map or a pointer parameter. */
function canBeNil(type: ParamType): boolean {
  if (typeof type === 'object') return type.goType.startsWith('*');
  return type === 'value' || type === 'any' || type === 'dict';
}

function isAssignable(value: unknown, type: ParamType): boolean {
  if (typeof type === 'object') return goTypeName(value) === type.goType;
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'bigint';
    case 'float64':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'dict':
      return isGoMap(value) && !isStringMap(value);
    case 'time':
      return value instanceof GoTime;
    default:
      return true;
  }
}

function goParamName(type: ParamType): string {
  if (typeof type === 'object') return type.goType;
  switch (type) {
    case 'dict':
      return 'map[string]interface {}';
    case 'any':
      return 'interface {}';
    case 'value':
      return 'reflect.Value';
    case 'time':
      return 'time.Time';
    default:
      return type;
  }
}
