/**
 * Synchronous data-parallel training on Apache Spark: N barrier tasks each hold an identical replica,
 * compute the gradient of their share of the global batch, sum the gradients with a ring all-reduce
 * over direct TCP connections, and take the same AdamW step. Nothing in engine, model or cpo depends
 * on this module; Spark itself is provided by the cluster.
 */
package io.cpo4j.spark;
