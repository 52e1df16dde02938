package io.cpo4j.model.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The chat conventions an instruction-tuned model's {@code chat_template} follows, recognised from
 * marker strings in the template (the Jinja is never run), and how one Dolly record becomes a user
 * turn, the opening of the assistant turn (the prompt), the response, and the end-of-turn token
 * that closes it (the training sequence's end token).
 *
 * <p>Each rendering is what the family's own template produces for the conversation
 * [user: instruction + context, assistant: response], with these choices, the same for every format:
 * <ul>
 *   <li>No system turn. Templates that insert a default system prompt when there is none (Llama 3.1's
 *       "Cutting Knowledge Date … Today Date …", dated by the day the template runs; Qwen2.5's and
 *       SmolLM2's "You are …") are rendered without it: a date in every example teaches nothing, and a
 *       model fine-tuned on Dolly answers from the user turn alone.</li>
 *   <li>The context, when not blank, follows the instruction in the user turn after a blank line
 *       ({@code instruction + "\n\n" + context}), as Alpaca's Input section follows its Instruction.</li>
 *   <li>The text after the end-of-turn token (ChatML's and Llama 3's newline before a next turn) is
 *       not part of the example: generation stops at the end-of-turn token.</li>
 * </ul>
 *
 * <p>Record text is always ordinary text: a record containing "&lt;|im_end|&gt;" cannot close a turn.
 */
public enum ChatFormat {

    /**
     * ChatML (SmolLM2, Qwen2.5, Qwen2): {@code <|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n},
     * then the response and {@code <|im_end|>}.
     */
    CHATML("chatml", "<|im_end|>"),

    /**
     * ChatML with Qwen3's empty thinking block: the prompt ends {@code <|im_start|>assistant\n<think>\n\n</think>\n\n}.
     * Qwen3's template renders exactly that for a final assistant turn without reasoning, and adds the
     * same block to the generation prompt when {@code enable_thinking=false}; so a model fine-tuned this
     * way is prompted the same way at inference with thinking off (Dolly responses have no reasoning).
     */
    CHATML_EMPTY_THINK("chatml-think", "<|im_end|>"),

    /**
     * Llama 3 (3, 3.1, 3.2): {@code <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n…<|eot_id|>
     * <|start_header_id|>assistant<|end_header_id|>\n\n}, then the response and {@code <|eot_id|>}. The
     * template trims each message ({@code | trim}), so the user text and the response are trimmed.
     */
    LLAMA3("llama3", "<|eot_id|>"),

    /**
     * [INST] (Llama 2, Mistral 7B v0.1): {@code <s>[INST] … [/INST]}, then the response and {@code </s>},
     * as Mistral v0.1's template renders it ({@code [/INST]Yo</s>}). Messages are stripped, as Llama 2's
     * template does. Llama 2 renders {@code [/INST] Yo </s>}: with its SentencePiece tokenizer the space
     * before the response comes back as the word-start mark when the response is tokenized on its own (as
     * Mistral's reference tokenization does), so it is not added here. Mistral's later tokenizers, which
     * drop the space before {@code [/INST]}, are not told apart.
     */
    INST("inst", "</s>");

    /**
     * One part of a rendered prompt: ordinary text, or a control token that must be one token of the
     * vocabulary ({@code required}), or a marker that is one token when the vocabulary has it and text otherwise
     * (Qwen3's {@code <think>}, which Qwen3 adds as a non-special token; {@code [INST]}, a control token only
     * in Mistral's later vocabularies).
     */
    public record Piece(String text, Kind kind) {
        public enum Kind { TEXT, SPECIAL, MARKER }

        static Piece text(String s) {
            return new Piece(s, Kind.TEXT);
        }

        static Piece special(String s) {
            return new Piece(s, Kind.SPECIAL);
        }

        static Piece marker(String s) {
            return new Piece(s, Kind.MARKER);
        }
    }

    private final String id;
    private final String endOfTurn;

    ChatFormat(String id, String endOfTurn) {
        this.id = id;
        this.endOfTurn = endOfTurn;
    }

    /** The short name used in logs and config.json ("chatml", "chatml-think", "llama3", "inst"). */
    public String id() {
        return id;
    }

    /** The special token that ends the assistant's turn: the last token of every training sequence. */
    public String endOfTurn() {
        return endOfTurn;
    }

    /** The conventions {@link #detect} recognises, for error messages. */
    public static String supported() {
        return "ChatML (<|im_start|>, e.g. Qwen, SmolLM2), Llama 3 (<|start_header_id|>, <|eot_id|>), [INST] (Llama 2, Mistral)";
    }

    /**
     * The convention a {@code chat_template} follows, by its marker strings: {@code <|im_start|>} is ChatML
     * (with Qwen3's empty thinking block when the template also handles {@code enable_thinking} and
     * {@code <think>}); {@code <|start_header_id|>} with {@code <|eot_id|>} is Llama 3; {@code [INST]} with
     * {@code [/INST]} is [INST]. Empty when none matches.
     */
    public static Optional<ChatFormat> detect(String chatTemplate) {
        if (chatTemplate == null) return Optional.empty();
        if (chatTemplate.contains("<|im_start|>")) {
            boolean emptyThink = chatTemplate.contains("enable_thinking") && chatTemplate.contains("<think>") && chatTemplate.contains("</think>");
            return Optional.of(emptyThink ? CHATML_EMPTY_THINK : CHATML);
        }
        if (chatTemplate.contains("<|start_header_id|>") && chatTemplate.contains("<|eot_id|>")) return Optional.of(LLAMA3);
        if (chatTemplate.contains("[INST]") && chatTemplate.contains("[/INST]")) return Optional.of(INST);
        return Optional.empty();
    }

    /** The control tokens the vocabulary must hold as single (special) tokens: those of the prompt and the end of turn. */
    public java.util.Set<String> requiredSpecialTokens() {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (Piece piece : promptPieces(new DollyRecord("", "", "", ""))) if (piece.kind() == Piece.Kind.SPECIAL) out.add(piece.text());
        out.add(endOfTurn);
        return out;
    }

    /** The user turn's text: the instruction, then (when not blank) a blank line and the context. */
    public static String userText(DollyRecord r) {
        boolean hasContext = r.context() != null && !r.context().isBlank();
        return hasContext ? r.instruction() + "\n\n" + r.context() : r.instruction();
    }

    /** The prompt as pieces: the user turn and the opening of the assistant turn. */
    public List<Piece> promptPieces(DollyRecord r) {
        String user = userText(r);
        List<Piece> p = new ArrayList<>();
        switch (this) {
            case CHATML, CHATML_EMPTY_THINK -> {
                p.add(Piece.special("<|im_start|>"));
                p.add(Piece.text("user\n" + user));
                p.add(Piece.special("<|im_end|>"));
                p.add(Piece.text("\n"));
                p.add(Piece.special("<|im_start|>"));
                p.add(Piece.text("assistant\n"));
                if (this == CHATML_EMPTY_THINK) {
                    p.add(Piece.marker("<think>"));
                    p.add(Piece.text("\n\n"));
                    p.add(Piece.marker("</think>"));
                    p.add(Piece.text("\n\n"));
                }
            }
            case LLAMA3 -> {
                p.add(Piece.special("<|begin_of_text|>"));
                p.add(Piece.special("<|start_header_id|>"));
                p.add(Piece.text("user"));
                p.add(Piece.special("<|end_header_id|>"));
                p.add(Piece.text("\n\n" + user.strip()));
                p.add(Piece.special("<|eot_id|>"));
                p.add(Piece.special("<|start_header_id|>"));
                p.add(Piece.text("assistant"));
                p.add(Piece.special("<|end_header_id|>"));
                p.add(Piece.text("\n\n"));
            }
            case INST -> {
                p.add(Piece.special("<s>"));
                p.add(Piece.marker("[INST]"));
                p.add(Piece.text(" " + user.strip() + " "));
                p.add(Piece.marker("[/INST]"));
            }
        }
        return p;
    }

    /** The prompt as one string (what the template renders with {@code add_generation_prompt}). */
    public String prompt(DollyRecord r) {
        StringBuilder sb = new StringBuilder();
        for (Piece piece : promptPieces(r)) sb.append(piece.text());
        return sb.toString();
    }

    /** The response as the template renders it inside the assistant turn, before {@link #endOfTurn()}. */
    public String response(DollyRecord r) {
        return switch (this) {
            case CHATML, CHATML_EMPTY_THINK -> r.response();
            case LLAMA3 -> r.response().strip();
            case INST -> r.response().strip();
        };
    }

    /** The whole training sequence as text: prompt, response, end of turn. */
    public String render(DollyRecord r) {
        return prompt(r) + response(r) + endOfTurn;
    }
}
