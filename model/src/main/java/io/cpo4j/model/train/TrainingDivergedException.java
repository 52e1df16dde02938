package io.cpo4j.model.train;

/** Too many consecutive steps had a NaN or infinite loss or gradient; the run stops. */
public final class TrainingDivergedException extends IllegalStateException {

    public TrainingDivergedException(String message) {
        super(message);
    }
}
