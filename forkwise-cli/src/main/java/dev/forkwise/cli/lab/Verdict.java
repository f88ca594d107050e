package dev.forkwise.cli.lab;

import java.util.Objects;

/**
 * What the numbers say about a guide's claim: one of three outcomes, and a sentence computed from
 * the rows it sits beside.
 *
 * @param outcome whether the claim holds in Java
 * @param sentence why, with the measured figures
 */
public record Verdict(Outcome outcome, String sentence) {

    /** The three answers a measurement can give a guide's claim. */
    public enum Outcome {
        /** What the guide says is what Java does too. */
        HOLDS("holds in Java"),
        /** Java does something else (no GIL, a JIT, cheap threads), and the sentence says why. */
        DIFFERS("differs in Java"),
        /** The claim is wrong for Python as well. */
        NOT_EVEN_IN_PYTHON("does not hold even in Python");

        private final String words;

        Outcome(String words) {
            this.words = words;
        }

        /**
         * Returns the outcome as a user reads it.
         *
         * @return for example {@code "holds in Java"}
         */
        public String words() {
            return words;
        }
    }

    /** Checks that both parts are there. */
    public Verdict {
        Objects.requireNonNull(outcome, "outcome");
        if (sentence == null || sentence.isBlank()) {
            throw new IllegalArgumentException("a verdict needs a sentence that says why");
        }
    }

    /**
     * A verdict that the claim holds.
     *
     * @param sentence why
     * @return the verdict
     */
    public static Verdict holds(String sentence) {
        return new Verdict(Outcome.HOLDS, sentence);
    }

    /**
     * A verdict that Java differs.
     *
     * @param sentence why
     * @return the verdict
     */
    public static Verdict differs(String sentence) {
        return new Verdict(Outcome.DIFFERS, sentence);
    }

    /**
     * A verdict that the claim is wrong even in Python.
     *
     * @param sentence why
     * @return the verdict
     */
    public static Verdict notEvenInPython(String sentence) {
        return new Verdict(Outcome.NOT_EVEN_IN_PYTHON, sentence);
    }

    /**
     * Returns the verdict as one line: the outcome, then the sentence.
     *
     * @return for example {@code "Differs in Java: ..."}
     */
    public String line() {
        String w = outcome.words();
        return Character.toUpperCase(w.charAt(0)) + w.substring(1) + ": " + sentence;
    }
}
