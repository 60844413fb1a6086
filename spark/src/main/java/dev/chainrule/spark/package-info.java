/**
 * Synchronous data-parallel training of Chainrule modules on Apache Spark.
 * {@link dev.chainrule.spark.SparkTrainer} runs each step as one Spark job over a
 * {@link dev.chainrule.spark.ShardedData} (the data set spread over the partitions of a cached RDD):
 * the driver broadcasts the parameters, each partition sums the loss and the gradient over its rows
 * of the global mini-batch, the driver adds the partitions' sums in partition order and takes an
 * ordinary optimizer step. The model is built on the executors by a serializable
 * {@link dev.chainrule.spark.ModelFactory}; the loss by a {@link dev.chainrule.spark.LossFactory}.
 * Training gives the same model as single-machine training on the same global batches.
 *
 * <p>This module lives on the class path (it has no {@code module-info}): Spark's jars have no usable
 * module names. Spark itself is a {@code provided} dependency.
 */
package dev.chainrule.spark;
