package io.cpo4j.cli.judge;

/** A judge's verdict on a pair (A, B). */
public enum Preference {
    A, B, TIE;

    /** 1 if A is preferred, 0 if B, ½ for a tie — the win-rate convention. */
    public double scoreForA() {
        return switch (this) {
            case A -> 1;
            case B -> 0;
            case TIE -> 0.5;
        };
    }

    /** The same verdict with the roles of A and B exchanged. */
    public Preference swapped() {
        return switch (this) {
            case A -> B;
            case B -> A;
            case TIE -> TIE;
        };
    }
}
