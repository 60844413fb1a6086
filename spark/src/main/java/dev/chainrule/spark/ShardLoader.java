package dev.chainrule.spark;

import dev.chainrule.nn.data.Dataset;
import java.io.Serializable;

/**
 * Loads one shard of a data set where it is needed: {@link ShardedData#fromLoader} runs
 * {@code load(i)} inside the task that builds partition {@code i} (on an executor), so the data never
 * passes through the driver and is not shipped with the tasks; Spark caches the result and, if an
 * executor is lost, calls {@code load(i)} again elsewhere. It must therefore be serializable and
 * deterministic (the same shard for the same index), e.g. reading rows
 * {@code [i·n/k, (i+1)·n/k)} of a file every executor can read.
 */
@FunctionalInterface
public interface ShardLoader extends Serializable {

    /**
     * The samples of shard {@code shard}: at least zero rows (an empty shard takes no part in
     * training); every shard must have the same feature and target shape per sample.
     *
     * @param shard the shard (partition) index, from 0
     * @return the shard's samples, or null for an empty shard
     * @throws Exception if the shard cannot be read; the error names the shard
     */
    Dataset load(int shard) throws Exception;
}
