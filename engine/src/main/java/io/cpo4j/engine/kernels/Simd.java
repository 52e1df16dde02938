package io.cpo4j.engine.kernels;

/**
 * Whether kernels take their Vector API path. The vector code lives in nested classes that are
 * loaded only when this is true, so the engine still runs (slowly, and says so) when the JVM was
 * started without {@code --add-modules jdk.incubator.vector}. {@code -Dcpo4j.simd=false} forces
 * the scalar twins, for comparisons.
 */
public final class Simd {

    /** True when the incubator module is present and not disabled. */
    public static final boolean ENABLED = modulePresent() && !"false".equalsIgnoreCase(System.getProperty("cpo4j.simd"));

    private Simd() {}

    /** True when {@code jdk.incubator.vector} is in the boot layer. */
    public static boolean modulePresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Lanes of the preferred float species, or 1 when the vector path is off. */
    public static int floatLanes() {
        return ENABLED ? Width.LANES : 1;
    }

    /** Bits of the preferred vector shape, or 32 when the vector path is off. */
    public static int vectorBits() {
        return ENABLED ? Width.BITS : 32;
    }

    private static final class Width {
        static final int LANES = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        static final int BITS = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
    }
}
