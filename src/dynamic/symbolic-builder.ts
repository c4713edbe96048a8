/**
 * Build-time shape inference over symbolic dimensions (the dynamic-shape proposal). Every operation's builder step is
 * written for concrete shapes; here each call runs that same step on trial sizes (a probe) and reads the symbolic
 * result off the trials:
 * - each named dimension takes a trial size of its own, once from each of two sets of sizes (A and B): an output
 *   dimension equal in both trials is static, one equal to the trial sizes of a name is that name, and any other is
 *   derived and gets a fresh name; later trials give a derived name the sizes its expression had, so an expression of
 *   it (a reshape to rows * 2) checks out, and the same expression met again gets the same name;
 * - a call whose trial fails with every name at its own size (names that must equal 1, a static size or each other)
 *   is tried again with some names fixed to such candidates, and keeps what holds in every valid trial with the fewest
 *   names fixed; it is rejected only when no candidate makes it valid, so static dimensions that contradict are
 *   build-time errors while everything that depends on sizes is left to dispatch;
 * - a trial with every name at 1 shows outputs whose rank depends on sizes (squeeze without axes): they are unranked;
 * - operands of unknown rank take each rank in turn.
 * The values of shape operands (the small integer tensors sizing the Dynamic operations) are inferred the same way,
 * elementwise, on demand.
 */
import { dimsOf, elementCount, nextId, type Dim, type GraphNode, type OperandRef } from '../graph/ir.js';
import { ShapeValueError, type MLOperand } from '../ops/builder-internals.js';
import { getOp, MAX_RANK } from '../ops/registry.js';
import { ConcreteBuilder, type SymbolicOwner } from './concrete-builder.js';
import { isStatic } from './dims.js';
import { decodeValues, MAX_VALUE_ELEMENTS } from './values.js';
import { argumentSizes, snapshotArgs, trialSize, type TrialSet } from './trials.js';

/** A shape value that is known only once the rank of an unranked operand is. */
export class UnknownValue extends Error {}

/** A name fixed to a size, or to the trial size of another name. */
type Special = number | { readonly alias: string };

/** A derived name used in a trial of set C before its size in C is known. */
class NoTrialSize extends Error {}

interface ProbeConfig {
  readonly set: TrialSet;
  readonly special: ReadonlyMap<string, Special>;
  /** The rank given to operands of unknown rank. */
  readonly rank: number;
}

/** What a symbolic graph's node keeps: the call's arguments, and the trial configuration its shapes came from. */
export interface SymbolicCallAttrs {
  readonly args: readonly unknown[];
  readonly special: ReadonlyMap<string, Special>;
  readonly rank: number;
}

/** Trials of one configuration in sets A and B, and C where valid. */
interface TrialPair {
  readonly a: Trial;
  readonly b: Trial;
  readonly c: Trial | null;
  readonly special: ReadonlyMap<string, Special>;
  /** The trial of set A with every size a name is fixed to multiplied by 11, where valid. */
  readonly scaled: Trial | null;
}

/** One dimension in a pair: its sizes in A, B and C, whether it follows the fixed sizes, the names fixed. */
type Observation = readonly [number, number, number | null, boolean, ReadonlyMap<string, Special>];

interface Trial {
  readonly outputs: MLOperand[];
  readonly returnsArray: boolean;
  readonly touched: OperandRef[];
  readonly builder: ConcreteBuilder;
}

const NONE: ReadonlyMap<string, Special> = new Map();
const MAX_FALLBACK_TRIALS = 300;
const MAX_FALLBACK_PAIRS = 16;

type ValueResult = { readonly value: readonly Dim[] } | { readonly error: Error };

export class SymbolicBuilder {
  readonly #symbolIndex = new Map<string, number>();
  readonly #values = new Map<OperandRef, ValueResult>();
  /**
   * The trial sizes (sets A and B) of derived dimensions: a derived name stands for its defining expression of the
   * named sizes, so later trials give it the size that expression has, not a size of its own.
   */
  readonly #derivedSizes = new Map<string, readonly [number, number, number | null]>();
  #fresh = 0;

  constructor(private readonly owner: SymbolicOwner) {}

  /** A new name for a derived dimension. */
  freshName(op: string): string {
    return `${op}#${++this.#fresh}`;
  }

  #trialSize(name: string, config: ProbeConfig): number {
    const special = config.special.get(name);
    if (typeof special === 'number') return special;
    const symbol = special ? special.alias : name;
    const derived = this.#derivedSizes.get(symbol);
    if (derived) {
      const size = derived[config.set];
      if (size === null) throw new NoTrialSize(`no trial size in set C for '${symbol}'`);
      return size;
    }
    let k = this.#symbolIndex.get(symbol);
    if (k === undefined) {
      k = this.#symbolIndex.size;
      this.#symbolIndex.set(symbol, k);
    }
    return trialSize(config.set, k);
  }

  #substitute(dims: readonly Dim[], config: ProbeConfig): number[] {
    return dims.map((d) => (typeof d === 'number' ? d : this.#trialSize(d, config)));
  }

  /** The dimensions of an operand in a trial; an unranked operand takes the trial's rank, with names of its own. */
  #trialDims(ref: OperandRef, config: ProbeConfig): readonly Dim[] {
    return dimsOf(ref) ?? Array.from({ length: config.rank }, (_, i) => `\u0000${ref.id}.${i}`);
  }

  /** Runs the builder step of `op` once, on the trial sizes of `config`. */
  #probe(op: string, args: readonly unknown[], config: ProbeConfig, touched: OperandRef[] = [],
    valueNames = new Set<string>()): Trial {
    const translated = new Map<OperandRef, MLOperand>();
    const fromSymbolic = new Map<OperandRef, OperandRef>();
    let trialSizesUsed = false;
    const translate = (ref: OperandRef): MLOperand => {
      let operand = translated.get(ref);
      if (operand) return operand;
      touched.push(ref);
      const dims = this.#trialDims(ref, config);
      if (!isStatic(dims) || (ref.source.kind === 'node' && (ref.source.node.attrs as unknown as SymbolicCallAttrs).special.size > 0)) {
        trialSizesUsed = true;
      }
      const desc = { dataType: ref.desc.dataType, shape: this.#substitute(dims, config) };
      const constant = ref.source.kind === 'constant' || ref.source.kind === 'constant-tensor';
      operand = builder.makeOperand(desc, constant ? ref.source : { kind: 'input', name: `#${ref.id}` });
      translated.set(ref, operand);
      fromSymbolic.set(this.owner.operands.refOf(operand), ref);
      return operand;
    };
    const leafValue = (concrete: OperandRef): readonly number[] | undefined => {
      const ref = fromSymbolic.get(concrete);
      if (!ref || ref.source.kind === 'constant') return undefined;
      const value = this.valueOf(ref);
      for (const d of value) if (typeof d === 'string') valueNames.add(d);
      if (!isStatic(value)) trialSizesUsed = true;
      return this.#substitute(value, config);
    };
    const builder: ConcreteBuilder = new ConcreteBuilder(this.owner, translate, leafValue, () => !trialSizesUsed);
    const { operands, returnsArray } = builder.run(op, args);
    return { outputs: operands, returnsArray, touched, builder };
  }

  /**
   * The symbolic value of a shape operand: numbers and dimension names. Throws ShapeValueError when it depends on
   * tensor data or cannot be computed, UnknownValue when its length depends on an unknown rank.
   */
  valueOf(ref: OperandRef): readonly Dim[] {
    let result = this.#values.get(ref);
    if (!result) {
      try {
        result = { value: this.#computeValue(ref) };
      } catch (error) {
        if (!(error instanceof ShapeValueError) && !(error instanceof UnknownValue)) throw error;
        result = { error };
      }
      this.#values.set(ref, result);
    }
    if ('error' in result) throw result.error;
    return result.value;
  }

  #computeValue(ref: OperandRef): readonly Dim[] {
    const source = ref.source;
    if (source.kind === 'input') {
      throw new ShapeValueError(`depends on the data of input '${source.name}'; shape values may be computed only from shape() and constants`);
    }
    if (source.kind === 'constant-tensor') {
      throw new ShapeValueError('cannot resolve shape: the data of a constant MLTensor is not readable while building');
    }
    if (source.kind === 'constant') {
      const count = elementCount(ref.desc.shape);
      if (count > MAX_VALUE_ELEMENTS) {
        throw new ShapeValueError(`cannot resolve shape: a constant of ${count} elements is more than the ${MAX_VALUE_ELEMENTS} the shape interpreter reads`);
      }
      return decodeValues(source.bytes, ref.desc.dataType);
    }
    const node = source.node;
    const attrs = node.attrs as unknown as SymbolicCallAttrs;
    if (ref.dims === null) throw new UnknownValue(`the value of ${node.op}'s result has an unknown length`);
    const trial = (set: TrialSet) => {
      const t = this.#probe(node.op, attrs.args, { set, special: attrs.special, rank: attrs.rank });
      return t.builder.valuesOf(t.outputs[source.index]!);
    };
    const a = trial(0);
    const b = trial(1);
    let c: readonly number[] | null;
    try {
      c = trial(2);
    } catch {
      c = null;
    }
    if (a.length !== b.length || (c && c.length !== a.length)) {
      throw new UnknownValue(`the value of ${node.op}'s result has a length that depends on sizes`);
    }
    return a.map((x, i) => this.#classify([[x, b[i]!, c ? c[i]! : null, false, attrs.special]], node.op));
  }

  /**
   * A dimension (or value element) from its trials, one observation per valid pair. Static when every trial gives one
   * size and it does not follow the sizes names are fixed to; a name when, in every pair, the name has exactly the
   * sizes observed; otherwise a fresh, derived name.
   */
  #classify(observations: readonly Observation[], op: string): Dim {
    const [a0, b0, c0] = observations[0]!;
    if (observations.every(([a, b, c, varies]) => a === a0 && b === a0 && (c === null || c === a0) && !varies)) return a0;
    const sizeOf = (name: string, set: TrialSet, special: ReadonlyMap<string, Special>): number | null => {
      try {
        return this.#trialSize(name, { set, special, rank: 1 });
      } catch (error) {
        if (error instanceof NoTrialSize) return null;
        throw error;
      }
    };
    const names = [...[...this.#symbolIndex.keys()].filter((n) => !n.startsWith('\u0000')), ...this.#derivedSizes.keys()];
    const found = names.find((name) => observations.every(([a, b, c, , special]) =>
      sizeOf(name, 0, special) === a && sizeOf(name, 1, special) === b && (c === null || sizeOf(name, 2, special) === c)));
    if (found !== undefined) return found;
    const name = this.freshName(op);
    // Sizes found with names fixed are not the expression's sizes at the trial sizes of those names.
    if (observations.every((o) => o[4].size === 0)) this.#derivedSizes.set(name, [a0, b0, c0]);
    return name;
  }

  /** Records one call of an MLGraphBuilder operation method and returns its symbolic operands. */
  call(op: string, rawArgs: readonly unknown[]): MLOperand | MLOperand[] {
    const args = snapshotArgs(rawArgs, this.owner.operands.isOperand) as unknown[];
    const touched: OperandRef[] = [];
    // Names in the values of shape operands the step read count as the names of the call, as those in shapes do.
    const names = new Set<string>();
    const general: ProbeConfig = { set: 0, special: NONE, rank: 1 };
    let first: Trial | null = null;
    let firstError: unknown = null;
    try {
      first = this.#probe(op, args, general, touched, names);
    } catch (error) {
      firstError = error;
    }
    // InvalidStateError (cannot build) and other errors than the TypeErrors of validation do not depend on sizes.
    if (firstError && !(firstError instanceof TypeError) && !(firstError instanceof UnknownValue)) throw firstError;
    this.#checkStaticLastDimension(op, args);
    let unranked = false;
    for (const ref of touched) {
      const dims = dimsOf(ref);
      if (dims === null) unranked = true;
      else for (const d of dims) if (typeof d === 'string') names.add(d);
    }
    if (firstError instanceof UnknownValue) return this.#unresolvedResult(op, args, touched);
    if (firstError && (!(firstError instanceof TypeError) || names.size === 0) && !unranked) throw firstError;
    if (unranked) return this.#byRank(op, args, firstError);
    if (first && names.size === 0) return this.#record(op, args, [{ a: first, b: first, c: null, special: NONE, scaled: null }], 1);
    if (first) {
      let second: Trial | null;
      try {
        second = this.#probe(op, args, { ...general, set: 1 });
      } catch {
        second = null;
      }
      if (second) {
        const pair = { a: first, b: second, c: this.#tryProbe(op, args, { ...general, set: 2 }), special: NONE, scaled: null };
        return this.#record(op, args, [pair], 1, this.#tryProbe(op, args, { ...general, special: new Map([...names].map((n) => [n, 1])) }));
      }
    }
    const found = this.#fallback(op, args, touched, [...names]);
    if (found.length === 0) throw this.#withTrialSizes(firstError, names);
    return this.#record(op, args, found, 1);
  }

  /** gatherND's and scatterND's indices: their last dimension must be static (OpDefinition.staticLastDimension). */
  #checkStaticLastDimension(op: string, args: readonly unknown[]): void {
    const rule = getOp(op).staticLastDimension;
    const value = rule ? args[rule.argument] : undefined;
    const ref = this.owner.operands.find(value);
    if (!rule || ref?.builder !== this.owner.owner || ref.dims === undefined) return;
    const last = ref.dims === null ? null : ref.dims[ref.dims.length - 1];
    if (last === null || typeof last === 'string') {
      throw new TypeError(`${op}: the last dimension of ${rule.name} must be static, not ${last === null ? 'of unknown rank' : `'${last}'`}`);
    }
  }

  /** The error of the first trial, saying which sizes in its message stand for named dimensions. */
  #withTrialSizes(error: unknown, names: ReadonlySet<string>): unknown {
    if (!(error instanceof TypeError)) return error;
    const sizes = [...names].map((name) => `'${name}' = ${this.#trialSize(name, { set: 0, special: NONE, rank: 1 })}`);
    return new TypeError(`${error.message} (no sizes of the named dimensions make it valid; here they had trial sizes ${sizes.join(', ')})`);
  }

  /** A trial, or null where it is not valid. */
  #tryProbe(op: string, args: readonly unknown[], config: ProbeConfig): Trial | null {
    try {
      return this.#probe(op, args, config);
    } catch {
      return null;
    }
  }

  /**
   * Tries names fixed to candidate sizes, fewest names first: every valid pair of trials with the fewest fixed names
   * (within a budget), so that only what holds in all of them is read off.
   */
  #fallback(op: string, args: readonly unknown[], touched: readonly OperandRef[], names: readonly string[]): TrialPair[] {
    const staticSizes = new Set<number>([1]);
    const staticCounts: number[] = [];
    for (const ref of touched) {
      const dims = dimsOf(ref) ?? [];
      for (const d of dims) if (typeof d === 'number') staticSizes.add(d);
      staticCounts.push(dims.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1));
    }
    for (const n of argumentSizes(args, staticCounts, this.owner.operands.isOperand)) staticSizes.add(n);
    const candidates = (name: string): Special[] =>
      [...staticSizes, ...names.filter((other) => other !== name).map((other) => ({ alias: other }))];
    let budget = MAX_FALLBACK_TRIALS;
    const combinations = function* (k: number, start = 0, chosen: string[] = []): Generator<string[]> {
      if (chosen.length === k) {
        yield chosen;
        return;
      }
      for (let i = start; i < names.length; i++) yield* combinations(k, i + 1, [...chosen, names[i]!]);
    };
    const assignments = function* (chosen: readonly string[], i = 0, current = new Map<string, Special>()):
      Generator<Map<string, Special>> {
      if (i === chosen.length) {
        yield new Map(current);
        return;
      }
      for (const c of candidates(chosen[i]!)) {
        current.set(chosen[i]!, c);
        yield* assignments(chosen, i + 1, current);
      }
      current.delete(chosen[i]!);
    };
    const found: TrialPair[] = [];
    const tryPair = (special: ReadonlyMap<string, Special>): void => {
      try {
        const a = this.#probe(op, args, { set: 0, special, rank: 1 });
        const b = this.#probe(op, args, { set: 1, special, rank: 1 });
        const c = this.#tryProbe(op, args, { set: 2, special, rank: 1 });
        // Where another size is valid for the fixed names too, what follows them is no static size.
        const scaledSpecial = new Map([...special].map(([n, v]) => [n, typeof v === 'number' ? v * 11 : v]));
        const scaled = this.#tryProbe(op, args, { set: 0, special: scaledSpecial, rank: 1 });
        found.push({ a, b, c, special, scaled });
      } catch {
        // not this candidate
      }
    };
    search: for (let k = 1; k <= Math.min(3, names.length) && found.length === 0; k++) {
      for (const chosen of combinations(k)) {
        for (const special of assignments(chosen)) {
          if (budget-- <= 0 || found.length >= MAX_FALLBACK_PAIRS) break search;
          tryPair(special);
        }
      }
    }
    // More names than the search fixes at once (concat of many named inputs): names at one axis of the operands the
    // size of the first of them; then every name the size of the first; then 1.
    if (found.length === 0 && names.length > 1) {
      const byAxis = namesUnitedByAxis(touched.map(dimsOf));
      if (byAxis.size > 0) tryPair(byAxis);
    }
    if (found.length === 0 && names.length > 1) tryPair(new Map(names.slice(1).map((n) => [n, { alias: names[0]! }])));
    if (found.length === 0) tryPair(new Map(names.map((n) => [n, 1])));
    return found;
  }

  /** Operands of unknown rank: each rank in turn; outputs whose rank varies are unranked. */
  #byRank(op: string, args: readonly unknown[], firstError: unknown): MLOperand | MLOperand[] {
    const pairs: TrialPair[] = [];
    let rank = -1;
    for (let r = 0; r <= MAX_RANK; r++) {
      try {
        const a = this.#probe(op, args, { set: 0, special: NONE, rank: r });
        pairs.push({ a, b: this.#probe(op, args, { set: 1, special: NONE, rank: r }), c: null, special: NONE, scaled: null });
        if (rank < 0) rank = r;
      } catch {
        // not valid at this rank
      }
    }
    if (pairs.length === 0) throw firstError;
    return this.#record(op, args, pairs, rank, null, true);
  }

  /** A call whose result's shape needs a value known only with a rank: one unranked result of its first operand's type. */
  #unresolvedResult(op: string, args: readonly unknown[], touched: readonly OperandRef[]): MLOperand {
    const input = touched[0];
    if (!input || op === 'splitDynamic') {
      throw new TypeError(`${op}: cannot resolve shape: the number of results depends on a value of unknown length`);
    }
    const node: GraphNode = { id: nextId(), op, inputs: [...touched], attrs: { args, special: NONE, rank: 1 }, outputs: [], label: '' };
    const operand = this.owner.operands.create({
      id: nextId(), builder: this.owner.owner, desc: { dataType: input.desc.dataType, shape: [] },
      source: { kind: 'node', node, index: 0 }, dims: null,
    });
    node.outputs.push(this.owner.operands.refOf(operand));
    return operand;
  }

  /**
   * The symbolic node of a call and its operands, read off its valid pairs of trials; `ones` is the trial with every
   * name at 1, `byRank` says the pairs span several ranks.
   */
  #record(op: string, args: readonly unknown[], pairs: readonly TrialPair[], rank: number, ones: Trial | null = null,
    byRank = false): MLOperand | MLOperand[] {
    const first = pairs[0]!.a;
    const attrs: SymbolicCallAttrs = { args, special: pairs[0]!.special, rank };
    const node: GraphNode = { id: nextId(), op, inputs: [...first.touched], attrs: attrs as unknown as Record<string, unknown>, outputs: [], label: '' };
    const shapeOf = (t: Trial | null, index: number) => (t?.outputs[index] ? this.owner.operands.refOf(t.outputs[index]).desc.shape : null);
    const operands = first.outputs.map((output, index) => {
      const shapeA = shapeOf(first, index)!;
      const shapes = pairs.flatMap((p) => [shapeOf(p.a, index), shapeOf(p.b, index)]);
      const onesShape = shapeOf(ones, index);
      let dims: Dim[] | null;
      if (shapes.some((s) => s === null || s.length !== shapeA.length) || (ones && onesShape?.length !== shapeA.length)) {
        dims = null;
      } else if (byRank) {
        dims = shapeA.map((d, k) => (shapes.every((s) => s![k] === d) ? d : this.freshName(op)));
      } else {
        dims = shapeA.map((_, k) => this.#classify(pairs.map((p): Observation => {
          const a = shapeOf(p.a, index)![k]!;
          const c = shapeOf(p.c, index);
          const scaled = shapeOf(p.scaled, index);
          return [a, shapeOf(p.b, index)![k]!, c?.length === shapeA.length ? c[k]! : null,
            scaled !== null && scaled.length === shapeA.length && scaled[k] !== a, p.special];
        }), op));
      }
      const dataType = this.owner.operands.refOf(output).desc.dataType;
      const operand = this.owner.operands.create({
        id: nextId(), builder: this.owner.owner,
        desc: { dataType, shape: isStatic(dims) ? Object.freeze([...dims]) : [] },
        source: { kind: 'node', node, index }, dims: dims && Object.freeze(dims),
      });
      node.outputs.push(this.owner.operands.refOf(operand));
      return operand;
    });
    return first.returnsArray ? operands : operands[0]!;
  }
}

/**
 * Names that stand at one axis of the operands (counted from the last, as broadcasting aligns them), united: each
 * name of a group aliased to the group's first. What concat and elementwise operations need of their operands' other
 * axes, worked out without trying every combination.
 */
function namesUnitedByAxis(operandDims: readonly (readonly Dim[] | null)[]): Map<string, Special> {
  const parent = new Map<string, string>();
  const root = (name: string): string => {
    let r = name;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const rank = Math.max(0, ...operandDims.map((dims) => dims?.length ?? 0));
  for (let fromEnd = 1; fromEnd <= rank; fromEnd++) {
    let first: string | null = null;
    for (const dims of operandDims) {
      const d = dims && dims.length >= fromEnd ? dims[dims.length - fromEnd] : undefined;
      if (typeof d !== 'string') continue;
      if (!parent.has(d)) parent.set(d, d);
      if (first === null) first = root(d);
      else if (root(d) !== first) parent.set(root(d), first);
    }
  }
  const aliases = new Map<string, Special>();
  for (const name of parent.keys()) if (root(name) !== name) aliases.set(name, { alias: root(name) });
  return aliases;
}
