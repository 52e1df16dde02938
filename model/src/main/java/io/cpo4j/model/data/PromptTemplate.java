package io.cpo4j.model.data;

/**
 * How an instruction and its optional context become the prefix a model continues. The response
 * is the continuation, appended after the prefix as is.
 *
 * @param withContext    used when the context is not blank; holds {@code {instruction}} and {@code {context}}
 * @param withoutContext used otherwise; holds {@code {instruction}}
 */
public record PromptTemplate(String name, String withContext, String withoutContext) {

    /**
     * Stanford Alpaca's prompt (also used for Dolly fine-tuning), word for word:
     * <pre>
     * Below is an instruction that describes a task, paired with an input that provides further
     * context. Write a response that appropriately completes the request.
     *
     * ### Instruction:
     * {instruction}
     *
     * ### Input:
     * {context}
     *
     * ### Response:
     * </pre>
     * (the first paragraph is one line), and without context the sentence "Below is an
     * instruction that describes a task. Write a response that appropriately completes the
     * request." and no Input section. The prefix ends with the newline after "### Response:".
     */
    public static final PromptTemplate ALPACA = new PromptTemplate("alpaca",
            "Below is an instruction that describes a task, paired with an input that provides further context. "
                    + "Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Input:\n{context}\n\n### Response:\n",
            "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n"
                    + "### Instruction:\n{instruction}\n\n### Response:\n");

    /** The prefix for one record; placeholders are filled in one pass, so braces in the data stay as they are. */
    public String prefix(String instruction, String context) {
        boolean hasContext = context != null && !context.isBlank();
        String template = hasContext ? withContext : withoutContext;
        StringBuilder sb = new StringBuilder(template.length() + instruction.length() + (hasContext ? context.length() : 0));
        for (int i = 0; i < template.length(); ) {
            if (template.startsWith("{instruction}", i)) {
                sb.append(instruction);
                i += "{instruction}".length();
            } else if (hasContext && template.startsWith("{context}", i)) {
                sb.append(context);
                i += "{context}".length();
            } else {
                sb.append(template.charAt(i++));
            }
        }
        return sb.toString();
    }
}
