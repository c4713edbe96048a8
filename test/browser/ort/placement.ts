/**
 * Reads, from ONNX Runtime's verbose session log, what its WebNN execution provider claimed and where the session
 * placed each node. Lines relied on (onnxruntime 1.30, severity VERBOSE/INFO):
 *   helper.cc GetSupportedNodes:  "Operator type: [Conv] index: [0] name: [stem_conv] supported: [1]"
 *   webnn_execution_provider.cc:  "number of partitions supported by WebNN: 1 number of nodes in the graph: 11
 *                                  number of nodes supported by WebNN: 11"
 *   session_state.cc:             "Node placements", then either " All nodes placed on [EP]. Number of nodes: N"
 *                                 or one " Node(s) placed on [EP]. Number of nodes: N" per provider.
 */

export interface NodeSupport {
  opType: string;
  name: string;
  supported: boolean;
}

export interface WebNNPlacement {
  /** Per-node verdicts of the WebNN provider's GetCapability, in graph order. */
  nodes: NodeSupport[];
  /** From the GetCapability summary; null when the line is missing. */
  summary: { partitions: number; graphNodes: number; supportedNodes: number } | null;
  /** Execution provider name -> number of nodes placed on it, after partitioning (fused nodes count once). */
  placements: Map<string, number>;
  /** Log lines that explain a rejection (e.g. "... is not supported by WebNN op ..."). */
  reasons: string[];
}

const NODE = /Operator type: \[([^\]]*)\] index: \[\d+\] name: \[([^\]]*)\] supported: \[(\d)\]/;
const SUMMARY = /number of partitions supported by WebNN: (\d+) number of nodes in the graph: (\d+) number of nodes supported by WebNN: (\d+)/;
const PLACED = /(?:All nodes|Node\(s\)) placed on \[([^\]]+)\]\. Number of nodes: (\d+)/;
const REASON = /not supported|unsupported|fall ?back|Unsupported/;

export function readWebNNPlacement(log: readonly string[]): WebNNPlacement {
  const result: WebNNPlacement = { nodes: [], summary: null, placements: new Map(), reasons: [] };
  for (const line of log.flatMap((entry) => entry.split('\n'))) {
    const node = NODE.exec(line);
    if (node) {
      result.nodes.push({ opType: node[1]!, name: node[2]!, supported: node[3] === '1' });
      continue;
    }
    const summary = SUMMARY.exec(line);
    if (summary) {
      result.summary = { partitions: Number(summary[1]), graphNodes: Number(summary[2]), supportedNodes: Number(summary[3]) };
      continue;
    }
    const placed = PLACED.exec(line);
    if (placed) {
      result.placements.set(placed[1]!, (result.placements.get(placed[1]!) ?? 0) + Number(placed[2]));
      continue;
    }
    if (REASON.test(line)) result.reasons.push(line);
  }
  return result;
}
