package io.cpo4j.model.data;

/** A prefix (prompt, or the start of a document) and the text that truly follows it. */
public record PrefixContinuation(String prefix, String continuation) {}
