package dev.chainrule.nn;

import dev.chainrule.autograd.Shape;
import dev.chainrule.autograd.Tensor;
import dev.chainrule.nn.init.Initializer;
import dev.chainrule.nn.init.LeCunUniform;
import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * What {@link Conv1d} and {@link Conv2d} share: the options, their validation, PyTorch's default
 * initialization and the forward call of {@link Tensor#conv}. Errors from the op are re-thrown with
 * the layer's description in front.
 */
abstract class ConvNd extends Module {

    private final int d;
    private final int in;
    private final int out;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Tensor weight;
    private final Tensor bias;

    ConvNd(int d, Options<?> o, RandomGenerator rng) {
        String who = (d == 1 ? "Conv1d" : "Conv2d");
        Objects.requireNonNull(rng, who + ": random generator is null; pass e.g. new SplittableRandom(seed)");
        Objects.requireNonNull(o.weightInit, who + ": weight initializer is null");
        if (o.in < 1 || o.out < 1) {
            throw new IllegalArgumentException(who + ": in=" + o.in + " and out=" + o.out + " channels must both be at least 1");
        }
        this.d = d;
        this.in = o.in;
        this.out = o.out;
        this.kernel = axes(who, "kernel size", o.kernel, d, 1);
        this.stride = axes(who, "stride", o.stride, d, 1);
        this.padding = axes(who, "padding", o.padding, d, 0);
        this.dilation = axes(who, "dilation", o.dilation, d, 1);
        this.groups = o.groups;
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException(who + ": in=" + in + " and out=" + out + " channels must both be divisible by groups="
                + groups);
        }
        int[] wShape = new int[d + 2];
        wShape[0] = out;
        wShape[1] = in / groups;
        System.arraycopy(kernel, 0, wShape, 2, d);
        int[] fans = Initializer.fans(wShape);      // fan-in = in/groups · Πk, as PyTorch
        this.weight = registerParameter("weight", init(who, "weight", o.weightInit, wShape, fans, rng));
        this.bias = o.biasInit == null ? null : registerParameter("bias", init(who, "bias", o.biasInit, new int[] {out}, fans, rng));
    }

    private static int[] axes(String who, String what, int[] v, int d, int min) {
        Objects.requireNonNull(v, who + ": " + what + " is null");
        if (v.length != 1 && v.length != d) {
            throw new IllegalArgumentException(who + ": " + what + " " + Arrays.toString(v) + " must have 1 or " + d + " entries");
        }
        int[] out = new int[d];
        for (int i = 0; i < d; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < min) throw new IllegalArgumentException(who + ": " + what + " " + Arrays.toString(v) + " must be at least " + min);
        }
        return out;
    }

    private static Tensor init(String who, String what, Initializer init, int[] shape, int[] fans, RandomGenerator rng) {
        Tensor t = init.init(shape, fans[0], fans[1], rng);
        if (t == null || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(who + ": " + what + " initializer " + init + " returned "
                + (t == null ? "null" : "shape " + Shape.toString(t.shape())) + " instead of " + Shape.toString(shape));
        }
        return t.isLeaf() ? t : t.detach();
    }

    @Override
    public Tensor forward(Tensor x) {
        Objects.requireNonNull(x, getClass().getSimpleName() + ".forward: input is null");
        int[] s = x.shape();
        if ((s.length != d + 2 && s.length != d + 1) || s[s.length - d - 1] != in) {
            throw new IllegalArgumentException(this.describe() + ": input " + Shape.toString(s) + " does not match; expected "
                + (d == 1 ? "[N, " + in + ", L] or [" + in + ", L]" : "[N, " + in + ", H, W] or [" + in + ", H, W]"));
        }
        try {
            return x.conv(weight, bias, stride, padding, dilation, groups);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** The layer and its options, e.g. {@code Conv2d(in=1, out=32, kernel=[3, 3], padding=[1, 1])}. */
    String describe() {
        return getClass().getSimpleName() + "(" + extraRepr() + ")";
    }

    /** The weight {@code [out, in/groups, k...]} (a parameter). */
    public Tensor weight() {
        return weight;
    }

    /** The bias {@code [out]}, or null without bias. */
    public Tensor bias() {
        return bias;
    }

    /** Input channels. */
    public int inChannels() {
        return in;
    }

    /** Output channels. */
    public int outChannels() {
        return out;
    }

    /** The kernel size per spatial axis (a copy). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** The stride per spatial axis (a copy). */
    public int[] stride() {
        return stride.clone();
    }

    /** The zero padding per spatial axis (a copy). */
    public int[] padding() {
        return padding.clone();
    }

    /** The dilation per spatial axis (a copy). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** The number of groups. */
    public int groups() {
        return groups;
    }

    @Override
    protected String extraRepr() {
        StringBuilder sb = new StringBuilder("in=" + in + ", out=" + out + ", kernel=" + Arrays.toString(kernel));
        if (Arrays.stream(stride).anyMatch(v -> v != 1)) sb.append(", stride=").append(Arrays.toString(stride));
        if (Arrays.stream(padding).anyMatch(v -> v != 0)) sb.append(", padding=").append(Arrays.toString(padding));
        if (Arrays.stream(dilation).anyMatch(v -> v != 1)) sb.append(", dilation=").append(Arrays.toString(dilation));
        if (groups != 1) sb.append(", groups=").append(groups);
        if (bias == null) sb.append(", bias=false");
        return sb.toString();
    }

    /**
     * The options of a convolution layer, PyTorch's defaults: stride 1, padding 0, dilation 1,
     * groups 1, a bias, weight and bias U(±1/√fan_in) with fan_in = in/groups · Πkernel
     * ({@code kaiming_uniform_(a=√5)} reduces to that bound). Each int option takes one value for
     * every spatial axis or one per axis.
     *
     * @param <B> the concrete builder
     */
    abstract static class Options<B extends Options<B>> {
        final String who;
        final int in;
        final int out;
        int[] kernel;
        int[] stride = {1};
        int[] padding = {0};
        int[] dilation = {1};
        int groups = 1;
        Initializer weightInit = new LeCunUniform();
        Initializer biasInit = new LeCunUniform();

        Options(String who, int in, int out, int[] kernel) {
            this.who = who;
            this.in = in;
            this.out = out;
            this.kernel = Objects.requireNonNull(kernel, who + ".builder: kernel size is null").clone();
        }

        abstract B self();

        /** The stride, one value or one per axis; default 1. */
        public B stride(int... stride) {
            this.stride = Objects.requireNonNull(stride, who + ".Builder.stride: stride is null").clone();
            return self();
        }

        /** Zero padding on both sides, one value or one per axis; default 0. */
        public B padding(int... padding) {
            this.padding = Objects.requireNonNull(padding, who + ".Builder.padding: padding is null").clone();
            return self();
        }

        /** Spacing between kernel elements, one value or one per axis; default 1. */
        public B dilation(int... dilation) {
            this.dilation = Objects.requireNonNull(dilation, who + ".Builder.dilation: dilation is null").clone();
            return self();
        }

        /** Channel groups: in and out must both be divisible by it (in = groups gives a depthwise convolution); default 1. */
        public B groups(int groups) {
            this.groups = groups;
            return self();
        }

        /** With or without a bias; default with. */
        public B bias(boolean bias) {
            this.biasInit = bias ? (biasInit == null ? new LeCunUniform() : biasInit) : null;
            return self();
        }

        /** The weight initializer, called with fan-in in/groups·Πk and fan-out out·Πk; default {@link LeCunUniform}. */
        public B weightInit(Initializer init) {
            this.weightInit = Objects.requireNonNull(init, who + ".Builder.weightInit: initializer is null");
            return self();
        }

        /** The bias initializer (same fans as the weight); null for no bias; default {@link LeCunUniform}. */
        public B biasInit(Initializer init) {
            this.biasInit = init;
            return self();
        }
    }
}
