/**
 * Optimizers that update parameters in place under no-grad (SGD with momentum/Nesterov/weight
 * decay, Adam, AdamW, RMSProp, Adagrad), learning-rate schedules, gradient clipping and the
 * {@code Trainer} fit loop.
 */
package dev.chainrule.optim;
