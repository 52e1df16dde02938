/**
 * The transport of data-parallel training: a ring of N members over direct TCP connections
 * ({@link io.cpo4j.spark.ring.Ring}), joined once from addresses exchanged by Spark's barrier
 * allGather (which polls once a second, too slow per step). Pure JDK, no Spark types, so it is
 * tested as threads of one JVM over 127.0.0.1.
 */
package io.cpo4j.spark.ring;
