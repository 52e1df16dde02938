package io.cpo4j.engine;

/**
 * One recorded op: the tensors it read and the code that pushes its output's gradient back into
 * theirs. Nodes are numbered in recording order, which is a topological order of the graph.
 */
final class Node {

    final long seq;
    final String op;
    final Tensor[] inputs;
    final Runnable backward;

    Node(long seq, String op, Tensor[] inputs, Runnable backward) {
        this.seq = seq;
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }
}
