/**
 * Optimizers that update parameters in place under no-grad (SGD with momentum/Nesterov/weight
 * decay, Adam, AdamW, RMSProp, Adagrad), learning-rate schedules, gradient clipping and the
 * {@code Trainer} fit loop.
 *
 * <ul>
 *   <li>{@link dev.chainrule.optim.Optimizer}: {@code step()} and {@code zeroGrad()}, built with validating
 *       builders such as {@code Sgd.builder(model).lr(0.1).momentum(0.9).build()}; each subclass states
 *       its update formula, which follows {@code torch.optim}.</li>
 *   <li>{@link dev.chainrule.optim.LearningRateSchedule}: {@code ConstantRate}, {@code HyperbolicDecay}
 *       (α<sub>k</sub> = C/k), {@code StepDecay}, {@code CosineAnnealing}; applied by a
 *       {@link dev.chainrule.optim.Scheduler} or by the trainer.</li>
 *   <li>{@link dev.chainrule.optim.GradientClipping}: by global L2 norm or by value.</li>
 *   <li>{@link dev.chainrule.optim.Trainer}: epochs over a {@code DataLoader}, validation, early stopping,
 *       metrics such as {@link dev.chainrule.optim.Accuracy}, listeners; returns a
 *       {@link dev.chainrule.optim.History}.</li>
 * </ul>
 *
 * <p>The lifecycle of one update, by hand:
 * <pre>{@code
 * Tensor loss = lossFn.apply(model.forward(batch.x()), batch.y());
 * loss.backward();
 * GradientClipping.clipNorm(model.parameters(), 1.0);   // optional
 * optimizer.step();
 * optimizer.zeroGrad();
 * }</pre>
 */
package dev.chainrule.optim;
