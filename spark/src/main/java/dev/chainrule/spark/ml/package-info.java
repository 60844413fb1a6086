/**
 * Spark ML integration: {@link dev.chainrule.spark.ml.ChainruleClassifier}, an {@code Estimator} that
 * trains a Chainrule network on a DataFrame with {@link dev.chainrule.spark.SparkTrainer}, and its
 * {@link dev.chainrule.spark.ml.ChainruleClassificationModel}; both work in ML {@code Pipeline}s and
 * with ML persistence.
 */
package dev.chainrule.spark.ml;
