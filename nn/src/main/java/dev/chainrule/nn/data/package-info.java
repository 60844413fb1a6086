/**
 * Datasets of (x, y) tensors, seeded shuffling mini-batch loaders, train/test splits and standardization,
 * and readers for real data: {@link dev.chainrule.nn.data.Idx} (the MNIST file format),
 * {@link dev.chainrule.nn.data.FashionMnist} (the four Fashion-MNIST files as train and test sets) and
 * {@link dev.chainrule.nn.data.CsvReader} (numeric CSV tables).
 */
package dev.chainrule.nn.data;
