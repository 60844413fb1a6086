package dev.chainrule.autograd.internal;

/**
 * The error function and its relatives, which {@link Math} lacks. erf and erfc use W. J. Cody's
 * rational Chebyshev approximations ("Rational Chebyshev approximations for the error function",
 * Math. Comp. 23 (1969) 631–637; the double-precision coefficients of his SPECFUN routine CALERF,
 * 1990): three intervals, |x| ≤ 0.46875, ≤ 4 and beyond, each with a maximal relative error below
 * about 1e-16 before rounding. e^(−x²) is evaluated as e^(−x_hi²)·e^(−(x−x_hi)(x+x_hi)) with x_hi =
 * x rounded down to a multiple of 1/16, which keeps it accurate for large x.
 */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    /** 1/√π. */
    private static final double INV_SQRT_PI = 5.6418958354775628695e-1;
    /** Below this |x|, x² is negligible next to the constant terms of the first interval. */
    private static final double X_SMALL = 1.11e-16;
    /** Above this x, erfc(x) underflows to 0 (and erf(x) rounds to 1). */
    private static final double X_BIG = 26.543;

    // erf on |x| <= 0.46875
    private static final double A0 = 3.16112374387056560e00, A1 = 1.13864154151050156e02, A2 = 3.77485237685302021e02,
        A3 = 3.20937758913846947e03, A4 = 1.85777706184603153e-1;
    private static final double B0 = 2.36012909523441209e01, B1 = 2.44024637934444173e02, B2 = 1.28261652607737228e03,
        B3 = 2.84423683343917062e03;
    // erfc on 0.46875 < |x| <= 4
    private static final double C0 = 5.64188496988670089e-1, C1 = 8.88314979438837594e00, C2 = 6.61191906371416295e01,
        C3 = 2.98635138197400131e02, C4 = 8.81952221241769090e02, C5 = 1.71204761263407058e03, C6 = 2.05107837782607147e03,
        C7 = 1.23033935479799725e03, C8 = 2.15311535474403846e-8;
    private static final double D0 = 1.57449261107098347e01, D1 = 1.17693950891312499e02, D2 = 5.37181101862009858e02,
        D3 = 1.62138957456669019e03, D4 = 3.29079923573345963e03, D5 = 4.36261909014324716e03, D6 = 3.43936767414372164e03,
        D7 = 1.23033935480374942e03;
    // erfc on |x| > 4, in 1/x²
    private static final double P0 = 3.05326634961232344e-1, P1 = 3.60344899949804439e-1, P2 = 1.25781726111229246e-1,
        P3 = 1.60837851487422766e-2, P4 = 6.58749161529837803e-4, P5 = 1.63153871373020978e-2;
    private static final double Q0 = 2.56852019228982242e00, Q1 = 1.87295284992346047e00, Q2 = 5.27905102951428412e-1,
        Q3 = 6.05183413124413191e-2, Q4 = 2.33520497626869185e-3;

    /** erf(x) = (2/√π) ∫₀ˣ e^(−t²) dt; odd, erf(±∞) = ±1, erf(NaN) = NaN. */
    public static double erf(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) return x * smallRatio(y);
        double r = erfcPositive(y);                     // erfc(|x|), accurate for |x| > 0.46875
        double e = (0.5 - r) + 0.5;
        return x < 0 ? -e : e;
    }

    /** erfc(x) = 1 − erf(x), accurate also where it is tiny (large x): erfc(27) ≈ 5e-319. */
    public static double erfc(double x) {
        double y = Math.abs(x);
        if (y <= 0.46875) return 1 - x * smallRatio(y);
        double r = erfcPositive(y);
        return x < 0 ? 2 - r : r;
    }

    /** Φ(x) = P(Z ≤ x) for a standard normal Z, = erfc(−x/√2)/2 (accurate in the left tail). */
    public static double normalCdf(double x) {
        return 0.5 * erfc(-x * 0.70710678118654752440);
    }

    /** erf(x)/x on |x| ≤ 0.46875. */
    private static double smallRatio(double y) {
        double z = y > X_SMALL ? y * y : 0;
        double num = (((A4 * z + A0) * z + A1) * z + A2) * z;
        double den = (((z + B0) * z + B1) * z + B2) * z;
        return (num + A3) / (den + B3);
    }

    /** erfc(y) for y &gt; 0.46875 (or NaN). */
    private static double erfcPositive(double y) {
        double r;
        if (y <= 4) {
            double num = C8 * y, den = y;
            num = (num + C0) * y; den = (den + D0) * y;
            num = (num + C1) * y; den = (den + D1) * y;
            num = (num + C2) * y; den = (den + D2) * y;
            num = (num + C3) * y; den = (den + D3) * y;
            num = (num + C4) * y; den = (den + D4) * y;
            num = (num + C5) * y; den = (den + D5) * y;
            num = (num + C6) * y; den = (den + D6) * y;
            r = (num + C7) / (den + D7);
        } else if (y >= X_BIG) {
            return 0;
        } else if (y > 4) {
            double z = 1 / (y * y);
            double num = P5 * z, den = z;
            num = (num + P0) * z; den = (den + Q0) * z;
            num = (num + P1) * z; den = (den + Q1) * z;
            num = (num + P2) * z; den = (den + Q2) * z;
            num = (num + P3) * z; den = (den + Q3) * z;
            r = z * (num + P4) / (den + Q4);
            r = (INV_SQRT_PI - r) / y;
        } else {
            return y;                                   // NaN
        }
        double hi = Math.floor(y * 16) / 16;            // e^(−y²) = e^(−hi²) e^(−(y−hi)(y+hi)), both parts accurate
        double del = (y - hi) * (y + hi);
        return Math.exp(-hi * hi) * Math.exp(-del) * r;
    }
}
