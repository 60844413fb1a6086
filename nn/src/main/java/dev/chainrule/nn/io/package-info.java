/**
 * Checkpoints in the safetensors format, saved atomically and validated before loading: reads
 * {@code F64}, {@code F32}, {@code F16} and {@code BF16} tensors (converted exactly to doubles, so a
 * PyTorch {@code safetensors.torch.save_file} of a float32 or half-precision state dict loads),
 * writes {@code F64} (exact, the default) or {@code F32} (rounded to the nearest float).
 */
package dev.chainrule.nn.io;
