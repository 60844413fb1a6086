/** Datasets of (x, y) tensors, seeded shuffling mini-batch loaders, train/test splits and standardization. */
package dev.chainrule.nn.data;
