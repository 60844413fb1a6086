/** Checkpoints in the safetensors format (F64, little-endian), saved atomically and validated before loading. */
package dev.chainrule.nn.io;
