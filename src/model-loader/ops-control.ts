/** Control flow that a constant decides at load time: If with a condition known when the model loads. */
import type { Converter, ConverterTable } from './converter.js';
import { toNumbers } from './host-tensor.js';

const ifNode: Converter = {
  minOpset: 1,
  convert(n) {
    const condition = n.host(0);
    if (!condition) throw n.unsupported('a condition computed at run time is not mapped (WebNN has no control flow)');
    const values = toNumbers(condition);
    if (values.length !== 1) throw n.invalid(`its condition has ${values.length} values, not one`);
    return n.inline(n.graph(values[0] ? 'then_branch' : 'else_branch'));
  },
};

export const CONTROL_CONVERTERS: ConverterTable = [['If', ifNode]];
