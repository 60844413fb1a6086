package dev.chainrule.autograd;

import static dev.chainrule.autograd.DType.FLOAT32;
import static dev.chainrule.autograd.DType.FLOAT64;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A reflective sweep for missing float32 paths: every public method of {@link Tensor} (instance
 * methods, and the static ones that take tensors) and of {@link Linalg} that returns tensors, found
 * as the reliability suite's HostileInputTest finds members (public, non-synthetic, non-bridge
 * declared methods), is called on FLOAT32 receivers with FLOAT32 tensor arguments and small valid
 * other arguments. Every tensor it returns (directly, in a list, or as a component of a result record)
 * must be FLOAT32, except the documented index-valued results ({@code argMax}, {@code argMin} and the
 * indices of {@code sort}/{@code topk}), which stay FLOAT64 (exact integers). When a result requires
 * grad, backward (seeded with ones) must also leave FLOAT32 gradients on the FLOAT32 leaves. The test
 * fails listing every method that does not, and every method it has no arguments for (so a new
 * method must be added here, and gets its float32 path checked).
 */
class Float32CoverageTest {

    /** Results that hold indices (integer values), FLOAT64 by design. Key: method name (and component). */
    static final Set<String> INDEX_VALUED = Set.of("argMax", "argMin", "sort.indices", "topk.indices");

    /** Methods that change their receiver (called inside noGrad). */
    static final Set<String> IN_PLACE = Set.of("addInPlace", "mulInPlace", "lerpInPlace", "addcmulInPlace", "addcdivInPlace",
        "addcdivSqrtInPlace", "clampInPlace", "copyFrom", "convertInPlace");

    /** A FLOAT32 tensor of distinct positive values (0.5, 0.75, ...), so log, sqrt, max and sort are all well defined. */
    static Tensor f(int... shape) {
        double[] v = new double[Shape.size(shape)];
        for (int i = 0; i < v.length; i++) v[i] = 0.5 + 0.25 * ((i * 7) % v.length);
        return Tensor.of(v, FLOAT32, shape);
    }

    static Tensor leaf(int... shape) {
        return f(shape).requiresGrad();
    }

    static Tensor spd(int n) {
        Tensor m = f(n, n);
        return m.matmul(m.transpose()).add(Tensor.eye(n).to(FLOAT32).mul(n)).detach();
    }

    /** One call: receiver (null for static methods) and arguments, and the FLOAT32 leaves whose gradients to check. */
    record Call(Tensor receiver, Object... args) {}

    static Call on(Tensor receiver, Object... args) {
        return new Call(receiver, args);
    }

    static Call x(Object... args) {
        return new Call(leaf(2, 3), args);
    }

    static Tensor withGrad() {
        Tensor t = leaf(2, 3);
        t.square().sum().backward();
        return t;
    }

    static int[] a(int... v) {
        return v;
    }

    /** The arguments for each method, by key (as HostileInputTest.key: class, name and parameter types). */
    static Map<String, Supplier<Call>> calls() {
        Map<String, Supplier<Call>> m = new LinkedHashMap<>();
        // accessors and graph
        m.put("Tensor.to(DType)", () -> x(FLOAT32));
        m.put("Tensor.grad()", () -> on(withGrad()));
        m.put("Tensor.requiresGrad()", () -> on(f(2, 3)));
        m.put("Tensor.detach()", () -> x());
        m.put("Tensor.zerosLike(Tensor)", () -> on(null, leaf(2, 3)));
        m.put("Tensor.onesLike(Tensor)", () -> on(null, leaf(2, 3)));
        m.put("Tensor.fullLike(Tensor,double)", () -> on(null, leaf(2, 3), 0.1));
        // elementwise
        for (String op : List.of("add", "sub", "mul", "div", "maximum", "minimum", "gt", "ge", "lt", "le", "eq", "ne")) {
            m.put("Tensor." + op + "(Tensor)", () -> x(leaf(3)));
            if (!op.equals("maximum") && !op.equals("minimum")) m.put("Tensor." + op + "(double)", () -> x(0.75));
        }
        for (String op : List.of("neg", "square", "exp", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "step", "sign", "softplus", "sin",
            "cos", "tan", "atan", "log1p", "expm1", "reciprocal", "erf", "gelu", "silu", "transpose", "squeeze", "flatten", "sum", "mean",
            "max", "min", "prod", "var", "std")) {
            m.put("Tensor." + op + "()", () -> x());
        }
        m.put("Tensor.pow(double)", () -> x(1.5));
        m.put("Tensor.clamp(double,double)", () -> x(0.6, 1.2));
        m.put("Tensor.leakyRelu(double)", () -> x(0.1));
        m.put("Tensor.elu(double)", () -> x(1.0));
        m.put("Tensor.hardtanh(double,double)", () -> x(0.6, 1.2));
        m.put("Tensor.where(Tensor,Tensor,Tensor)", () -> on(null, f(2, 3).gt(1), leaf(2, 3), leaf(3)));
        m.put("Tensor.maskedFill(Tensor,double)", () -> x(f(3).gt(1), -1.0));
        // layout
        m.put("Tensor.broadcastTo(int[])", () -> x(a(4, 2, 3)));
        m.put("Tensor.sumTo(int[])", () -> x(a(1, 3)));
        m.put("Tensor.reshape(int[])", () -> x(a(3, -1)));
        m.put("Tensor.permute(int[])", () -> x(a(1, 0)));
        m.put("Tensor.transpose(int,int)", () -> x(0, 1));
        m.put("Tensor.squeeze(int)", () -> on(leaf(2, 1, 3), 1));
        m.put("Tensor.unsqueeze(int)", () -> x(1));
        m.put("Tensor.flatten(int,int)", () -> on(leaf(2, 3, 2), 1, 2));
        m.put("Tensor.expand(int[])", () -> on(leaf(1, 3), a(2, -1)));
        m.put("Tensor.repeat(int[])", () -> x(a(2, 1)));
        m.put("Tensor.flip(int[])", () -> x(a(1)));
        m.put("Tensor.slice(int,int,int,int)", () -> x(1, 0, 3, 2));
        m.put("Tensor.slice(int,int,int)", () -> x(1, 1, 3));
        m.put("Tensor.select(int,int)", () -> x(0, 1));
        m.put("Tensor.cat(int,Tensor[])", () -> on(null, 0, new Tensor[] {leaf(2, 3), leaf(1, 3)}));
        m.put("Tensor.cat(int,List)", () -> on(null, 1, List.of(leaf(2, 3), leaf(2, 1))));
        m.put("Tensor.stack(int,Tensor[])", () -> on(null, 0, new Tensor[] {leaf(2, 3), leaf(2, 3)}));
        m.put("Tensor.stack(int,List)", () -> on(null, 2, List.of(leaf(2, 3), leaf(2, 3))));
        m.put("Tensor.split(int,int[])", () -> x(1, a(1, 2)));
        m.put("Tensor.splitEvery(int,int)", () -> x(2, 1));
        m.put("Tensor.chunk(int,int)", () -> x(2, 0));
        m.put("Tensor.pad(double,int[])", () -> x(0.5, a(1, 1)));
        m.put("Tensor.tril(int)", () -> x(0));
        m.put("Tensor.triu(int)", () -> x(0));
        m.put("Tensor.einsum(String,Tensor[])", () -> on(null, "ij,jk->ik", new Tensor[] {leaf(2, 3), leaf(3, 2)}));
        // indexing
        m.put("Tensor.pick(int[])", () -> x(a(0, 2)));
        m.put("Tensor.indexSelect(int,int[])", () -> x(1, a(2, 0, 2)));
        m.put("Tensor.gather(int,Tensor)", () -> x(1, Tensor.of(new double[] {0, 2, 1, 1}, FLOAT32, 2, 2)));
        m.put("Tensor.scatterAdd(int,Tensor,Tensor)", () -> x(1, Tensor.of(new double[] {0, 2, 1, 1}, FLOAT32, 2, 2), leaf(2, 2)));
        // matrix products
        m.put("Tensor.matmul(Tensor)", () -> x(leaf(3, 4)));
        m.put("Tensor.linear(Tensor,Tensor)", () -> x(leaf(4, 3), leaf(4)));
        // reductions
        for (String op : List.of("sum", "mean", "max", "min", "logSumExp")) {
            m.put("Tensor." + op + "(int,boolean)", () -> x(1, false));
            if (!op.equals("logSumExp")) m.put("Tensor." + op + "(int[],boolean)", () -> x(a(0, 1), true));
        }
        m.put("Tensor.prod(int,boolean)", () -> x(0, true));
        m.put("Tensor.var(int,double,boolean)", () -> x(1, 1.0, false));
        m.put("Tensor.std(int,double,boolean)", () -> x(1, 0.0, true));
        m.put("Tensor.norm(double)", () -> x(2.0));
        m.put("Tensor.norm(double,int,boolean)", () -> x(1.0, 1, false));
        m.put("Tensor.norm(double,int[],boolean)", () -> x(3.0, a(0, 1), false));
        m.put("Tensor.cumsum(int)", () -> x(1));
        m.put("Tensor.argMax(int)", () -> x(1));
        m.put("Tensor.argMin(int)", () -> x(0));
        m.put("Tensor.softmax(int)", () -> x(1));
        m.put("Tensor.logSoftmax(int)", () -> x(0));
        m.put("Tensor.crossEntropy(int[])", () -> x(a(2, 0)));
        m.put("Tensor.sort(int,boolean)", () -> x(1, true));
        m.put("Tensor.topk(int,int)", () -> x(2, 1));
        // convolution, pooling, normalization
        m.put("Tensor.conv(Tensor,Tensor,int[],int[],int[],int)", () -> on(leaf(1, 2, 5), leaf(3, 2, 2), leaf(3), a(1), a(1), a(1), 1));
        m.put("Tensor.conv1d(Tensor,Tensor,int,int,int,int)", () -> on(leaf(1, 2, 5), leaf(2, 1, 3), null, 2, 1, 1, 2));
        m.put("Tensor.conv2d(Tensor,Tensor,int,int,int,int)", () -> on(leaf(1, 2, 4, 4), leaf(3, 2, 2, 2), leaf(3), 1, 0, 1, 1));
        m.put("Tensor.convTranspose(Tensor,Tensor,int[],int[],int[],int[],int)",
            () -> on(leaf(1, 2, 4), leaf(2, 3, 2), leaf(3), a(2), a(0), a(1), a(1), 1));
        m.put("Tensor.unfold(int[],int[],int[],int[])", () -> on(leaf(1, 2, 3, 3), a(2, 2), a(1), a(0), a(1)));
        m.put("Tensor.fold(int[],int[],int[],int[],int[])", () -> on(leaf(1, 8, 4), a(3, 3), a(2, 2), a(1), a(0), a(1)));
        m.put("Tensor.maxPool(int[],int[],int[],int[])", () -> on(leaf(1, 2, 5), a(2), null, a(1), a(1)));
        m.put("Tensor.maxPool2d(int,int,int)", () -> on(leaf(1, 1, 4, 4), 2, 2, 0));
        m.put("Tensor.avgPool(int[],int[],int[],boolean)", () -> on(leaf(1, 2, 5), a(2), a(1), a(1), false));
        m.put("Tensor.avgPool2d(int,int,int)", () -> on(leaf(1, 1, 4, 4), 2, 1, 1));
        m.put("Tensor.adaptiveAvgPool(int[])", () -> on(leaf(1, 2, 5, 4), a(3, 2)));
        m.put("Tensor.batchNorm(Tensor,Tensor,Tensor,Tensor,boolean,double,double)",
            () -> on(leaf(2, 3, 2), Tensor.zeros(FLOAT32, 3), Tensor.ones(FLOAT32, 3), leaf(3), leaf(3), true, 0.1, 1e-5));
        m.put("Tensor.layerNorm(int[],Tensor,Tensor,double)", () -> x(a(3), leaf(3), leaf(3), 1e-5));
        // in place (noGrad)
        m.put("Tensor.addInPlace(Tensor,double)", () -> on(f(2, 3), f(3), 0.5));
        m.put("Tensor.mulInPlace(double)", () -> on(f(2, 3), 0.5));
        m.put("Tensor.lerpInPlace(Tensor,double)", () -> on(f(2, 3), f(2, 3), 0.1));
        m.put("Tensor.addcmulInPlace(Tensor,Tensor,double)", () -> on(f(2, 3), f(2, 3), f(2, 3), 0.1));
        m.put("Tensor.addcdivInPlace(Tensor,Tensor,double)", () -> on(f(2, 3), f(2, 3), f(2, 3), 0.1));
        m.put("Tensor.addcdivSqrtInPlace(Tensor,Tensor,double,double,double)", () -> on(f(2, 3), f(2, 3), f(2, 3), 0.1, 0.9, 1e-8));
        m.put("Tensor.clampInPlace(double,double)", () -> on(f(2, 3), 0.6, 1.0));
        m.put("Tensor.copyFrom(Tensor)", () -> on(f(2, 3), f(2, 3).mul(2)));
        m.put("Tensor.copyFrom(double[])", () -> on(f(2, 3), new double[6]));
        m.put("Tensor.convertInPlace(DType)", () -> on(f(2, 3), FLOAT32));
        // linear algebra
        m.put("Linalg.cholesky(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.solveTriangular(Tensor,Tensor,boolean,boolean,boolean)", () -> on(null, spd(3).requiresGrad(), leaf(3, 2), false, true, false));
        m.put("Linalg.solve(Tensor,Tensor)", () -> on(null, spd(3).requiresGrad(), leaf(3, 2)));
        m.put("Linalg.inverse(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.det(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.slogdet(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.logdet(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.eigh(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.eigvalsh(Tensor)", () -> on(null, spd(3).requiresGrad()));
        m.put("Linalg.diagonal(Tensor)", () -> on(null, leaf(2, 3, 3)));
        return m;
    }

    /** HostileInputTest's key: simple class name, method name and simple parameter type names. */
    static String key(Method e) {
        StringBuilder sb = new StringBuilder(e.getDeclaringClass().getSimpleName()).append('.').append(e.getName()).append('(');
        Class<?>[] ps = e.getParameterTypes();
        for (int i = 0; i < ps.length; i++) sb.append(i > 0 ? "," : "").append(ps[i].getSimpleName());
        return sb.append(')').toString();
    }

    /** Whether a method's result holds tensors (a tensor, a list of them, or a record of them). */
    static boolean returnsTensors(Method m) {
        Class<?> r = m.getReturnType();
        return r == Tensor.class || r == List.class || (r.isRecord() && Arrays.stream(r.getRecordComponents())
            .anyMatch(c -> c.getType() == Tensor.class));
    }

    /** The methods of the sweep, in a stable order: Tensor's instance methods and tensor-taking statics, Linalg's statics. */
    static List<Method> methods() {
        List<Method> out = new ArrayList<>();
        for (Class<?> c : List.of(Tensor.class, Linalg.class)) {
            for (Method m : c.getDeclaredMethods()) {
                if (!Modifier.isPublic(m.getModifiers()) || m.isSynthetic() || m.isBridge() || !returnsTensors(m)) continue;
                boolean takesTensors = Arrays.stream(m.getParameterTypes()).anyMatch(p -> p == Tensor.class || p == Tensor[].class
                    || p == List.class);
                if (c == Tensor.class && Modifier.isStatic(m.getModifiers()) && !takesTensors) continue;   // factories: DTypeTest
                out.add(m);
            }
        }
        out.sort((p, q) -> key(p).compareTo(key(q)));
        return out;
    }

    @Test
    void everyTensorValuedMethodKeepsFloat32() throws Exception {
        Map<String, Supplier<Call>> calls = calls();
        Map<String, String> failures = new TreeMap<>();
        int called = 0;
        for (Method m : methods()) {
            String key = key(m);
            Supplier<Call> s = calls.remove(key);
            if (s == null) {
                failures.put(key, "no arguments in Float32CoverageTest.calls(): add them");
                continue;
            }
            Call c = s.get();
            Object result;
            try {
                if (IN_PLACE.contains(m.getName())) {
                    try (var scope = Autograd.noGrad()) {
                        result = m.invoke(c.receiver, c.args);
                    }
                } else {
                    result = m.invoke(c.receiver, c.args);
                }
            } catch (InvocationTargetException e) {
                failures.put(key, "threw " + e.getCause());
                continue;
            }
            called++;
            List<String> wrong = new ArrayList<>();
            Map<String, Tensor> outs = new LinkedHashMap<>();
            collect(m.getName(), result, outs);
            if (outs.isEmpty()) wrong.add("returned no tensor");
            for (Map.Entry<String, Tensor> e : outs.entrySet()) {
                DType want = INDEX_VALUED.contains(e.getKey()) ? FLOAT64 : FLOAT32;
                if (e.getValue().dtype() != want) wrong.add(e.getKey() + " is " + e.getValue().dtype() + ", expected " + want);
            }
            String g = gradients(c, outs);
            if (g != null) wrong.add(g);
            if (!wrong.isEmpty()) failures.put(key, String.join("; ", wrong));
        }
        for (String k : calls.keySet()) failures.put(k, "has arguments here but is no longer a public tensor-valued method: remove them");
        StringBuilder sb = new StringBuilder();
        failures.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
        assertTrue(failures.isEmpty(), failures.size() + " of " + methods().size() + " methods (" + called
            + " called) do not keep FLOAT32:" + sb);
    }

    static void collect(String name, Object result, Map<String, Tensor> outs) throws Exception {
        if (result instanceof Tensor t) {
            outs.put(name, t);
        } else if (result instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) outs.put(name + "[" + i + "]", (Tensor) l.get(i));
        } else if (result != null && result.getClass().isRecord()) {
            for (RecordComponent rc : result.getClass().getRecordComponents()) {
                if (rc.getType() == Tensor.class) outs.put(name + "." + rc.getName(), (Tensor) rc.getAccessor().invoke(result));
            }
        }
    }

    /** Backward through each result that requires grad: the FLOAT32 leaves among the call's tensors get FLOAT32 gradients. */
    static String gradients(Call c, Map<String, Tensor> outs) {
        List<Tensor> leaves = new ArrayList<>();
        if (c.receiver != null && c.receiver.isGradRequired() && c.receiver.isLeaf()) leaves.add(c.receiver);
        for (Object a : c.args) {
            if (a instanceof Tensor t && t.isGradRequired() && t.isLeaf()) leaves.add(t);
            if (a instanceof Tensor[] ts) for (Tensor t : ts) if (t.isGradRequired()) leaves.add(t);
            if (a instanceof List<?> l) for (Object o : l) if (o instanceof Tensor t && t.isGradRequired()) leaves.add(t);
        }
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : outs.entrySet()) {
            Tensor y = e.getValue();
            if (!y.isGradRequired() || y.isLeaf() || leaves.isEmpty()) continue;
            List<Tensor> gs;
            try {
                gs = Autograd.grad(y, leaves, Tensor.onesLike(y), true, false);
            } catch (RuntimeException ex) {
                wrong.add("backward of " + e.getKey() + " threw " + ex);
                continue;
            }
            for (int i = 0; i < gs.size(); i++) {
                if (gs.get(i).dtype() != leaves.get(i).dtype()) {
                    wrong.add("gradient of leaf " + i + " through " + e.getKey() + " is " + gs.get(i).dtype());
                }
            }
        }
        return wrong.isEmpty() ? null : String.join("; ", wrong);
    }
}
