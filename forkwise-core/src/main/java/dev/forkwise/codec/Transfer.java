package dev.forkwise.codec;

import dev.forkwise.NotTransferableException;

import java.io.Externalizable;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Explains why an object cannot be sent to another JVM: finds the path from the object to the first
 * thing in it that is not serializable, such as {@code captured arg 1 → field conn of Client →
 * java.net.Socket}.
 *
 * <h2>How the path is found</h2>
 *
 * <p>Only after serialization failed (so the happy path pays nothing), by walking the object graph
 * the way serialization does: a serializable lambda is opened through its {@link SerializedLambda}
 * (obtained by letting an {@link ObjectOutputStream} call the lambda's own {@code writeReplace}, so
 * no reflection into the lambda's hidden class is needed), then its captured arguments; arrays,
 * collections and maps by element; other application classes field by field (non-static,
 * non-transient). JDK classes are not opened (they are either serializable or the offender).
 */
public final class Transfer {

    private static final int MAX_DEPTH = 64;

    private Transfer() {}

    /**
     * Serializes {@code o}, or throws {@link NotTransferableException} naming {@code what} and the
     * path.
     */
    public static Message encode(String what, Object o) {
        return encode(what, o, true);
    }

    /**
     * Like {@link #encode(String, Object)}; with {@code copyLarge} false the message's attachments
     * are the caller's own large arrays (the caller decides later whether to copy them).
     */
    public static Message encode(String what, Object o, boolean copyLarge) {
        try {
            return Codec.encode(o, copyLarge);
        } catch (IOException | RuntimeException e) {
            throw notTransferable(what, null, o, e);
        }
    }

    /**
     * Like {@link #encode(String, Object)}, with {@code what} built only if {@code o} cannot be
     * sent (a submit builds no string).
     */
    public static Message encode(Supplier<String> what, Object o) {
        try {
            return Codec.encode(o, true);
        } catch (IOException | RuntimeException e) {
            throw notTransferable(what.get(), null, o, e);
        }
    }

    /**
     * Like {@link #encode(String, Object, boolean)}, for a connection that sends each lambda form
     * once ({@link Codec#encodeNumbered}).
     */
    public static Message encodeNumbered(Supplier<String> what, Object o, boolean copyLarge) {
        try {
            return Codec.encodeNumbered(o, copyLarge);
        } catch (IOException | RuntimeException e) {
            throw notTransferable(what.get(), null, o, e);
        }
    }

    /**
     * The parent's exception for a result that a worker could not send back ({@code why} is the
     * worker's).
     */
    public static NotTransferableException resultNotSent(String task, Throwable why) {
        String path = why instanceof NotTransferableException n ? n.path() : "result";
        return new NotTransferableException(
                path,
                "the result of "
                        + task
                        + " cannot be sent back from the worker: "
                        + why.getMessage(),
                why);
    }

    /**
     * Builds the exception for {@code what} (for example {@code "task #3 of pool processes(2)#1"})
     * whose {@code root} failed to serialize with {@code failure}.
     */
    public static NotTransferableException notTransferable(
            String what, String rootLabel, Object root, Exception failure) {
        List<String> path = new ArrayList<>();
        String found = null;
        if (root instanceof Parts parts) {
            Map<Object, Boolean> seen = new IdentityHashMap<>();
            for (Map.Entry<String, Object> part : parts.parts()) {
                path.add(part.getKey());
                found = walk(part.getValue(), path, seen, 0);
                if (found != null) {
                    break;
                }
                path.clear();
            }
        } else {
            if (rootLabel != null) {
                path.add(rootLabel);
            }
            found = walk(root, path, new IdentityHashMap<>(), 0);
        }
        if (found == null) {
            path.add(failure.getMessage() == null ? failure.toString() : failure.getMessage());
            found = failure.toString();
        }
        String p = String.join(" → ", path);
        return new NotTransferableException(
                p,
                what
                        + " cannot be sent to another JVM: "
                        + p
                        + " is not serializable. "
                        + found
                        + " "
                        + fix(root, path),
                failure);
    }

    /**
     * The fix for what {@code path} leads to: a JDK wrapper around the task (only a forkwise call
     * helps), a task input (not a capture), a captured {@code this} (a static method helps), or a
     * captured value.
     */
    private static String fix(Object root, List<String> path) {
        String first = path.isEmpty() ? "" : path.getFirst();
        String last = path.isEmpty() ? "" : path.getLast();
        boolean wrapped =
                path.size() == 2
                        && (first.equals("runnable") || first.equals("task"))
                        && isJdkName(last);
        if (wrapped
                || (root != null
                        && !(root instanceof Parts)
                        && path.size() <= 1
                        && isJdk(root.getClass()))) {
            return "Fix: this is a JDK wrapper around your task (ExecutorCompletionService,"
                    + " CompletableFuture.runAsync, a FutureTask), which no change to the task"
                    + " can send; submit the task itself with forkwise's calls:"
                    + " pool.submit(Call), pool.run(Action), pool.map, and Futures.asCompleted"
                    + " in place of ExecutorCompletionService.";
        }
        if (first.contains(" input #") || first.startsWith("input")) {
            return "Fix: an input must be serializable (numbers, strings, records, classes that"
                    + " implement java.io.Serializable): pass a value the task can build the"
                    + " object from, inside the task.";
        }
        if (path.stream().anyMatch(s -> s.startsWith("captured this"))) {
            return "Fix: the lambda captures `this` because it calls an instance method or reads a"
                    + " field: make that method static (in a compact source file too: declare it"
                    + " `static`), or copy the field into a local variable before the lambda and"
                    + " use that.";
        }
        return "Fix: capture only serializable values (numbers, strings, records and classes that"
                + " implement java.io.Serializable), mark the field transient, or create the"
                + " object inside the task.";
    }

    private static boolean isJdkName(String className) {
        return className.startsWith("java.")
                || className.startsWith("jdk.")
                || className.startsWith("sun.");
    }

    /**
     * Walks from {@code o}, appending labels to {@code path}; returns a sentence about the offender
     * (and leaves the path ending at it), or null when nothing unsendable was found.
     */
    private static String walk(Object o, List<String> path, Map<Object, Boolean> seen, int depth) {
        if (o == null || depth > MAX_DEPTH || seen.put(o, Boolean.TRUE) != null) {
            return null;
        }
        Class<?> c = o.getClass();
        if (isLambda(c)) {
            if (!(o instanceof Serializable)) {
                path.add("a lambda of " + lambdaHost(c));
                return "The lambda is not serializable: give it a forkwise type (Fn, Fn2, Call)"
                        + " or an intersection cast such as (Runnable & Serializable).";
            }
            SerializedLambda sl = serializedLambda(o);
            if (sl == null) {
                return null;
            }
            for (int i = 0; i < sl.getCapturedArgCount(); i++) {
                Object arg = sl.getCapturedArg(i);
                int mark = path.size();
                boolean self =
                        arg != null
                                && arg.getClass()
                                        .getName()
                                        .equals(sl.getCapturingClass().replace('/', '.'));
                path.add((self ? "captured this" : "captured arg " + (i + 1)) + describeType(arg));
                String found = walk(arg, path, seen, depth + 1);
                if (found != null) {
                    return found;
                }
                truncate(path, mark);
            }
            return null;
        }
        if (!(o instanceof Serializable) && !(o instanceof Externalizable)) {
            path.add(c.getName());
            return c.getName() + " does not implement java.io.Serializable.";
        }
        if (c.isArray()) {
            if (c.getComponentType().isPrimitive()) {
                return null;
            }
            Object[] a = (Object[]) o;
            for (int i = 0; i < a.length; i++) {
                String found = child(a[i], "element [" + i + "]", path, seen, depth);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (o instanceof Collection<?> coll) {
            int i = 0;
            for (Object e : coll) {
                String found = child(e, "element #" + i++, path, seen, depth);
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (o instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String found = child(e.getKey(), "key " + shorten(e.getKey()), path, seen, depth);
                if (found == null) {
                    found =
                            child(
                                    e.getValue(),
                                    "value of key " + shorten(e.getKey()),
                                    path,
                                    seen,
                                    depth);
                }
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (isJdk(c)) {
            return null;
        }
        for (Class<?> k = c;
                k != null && Serializable.class.isAssignableFrom(k);
                k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.getType().isPrimitive()) {
                    continue;
                }
                if (!f.trySetAccessible()) {
                    continue;
                }
                Object value;
                try {
                    value = f.get(o);
                } catch (IllegalAccessException e) {
                    continue;
                }
                String found =
                        child(
                                value,
                                "field " + f.getName() + " of " + k.getSimpleName(),
                                path,
                                seen,
                                depth);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static String child(
            Object o, String label, List<String> path, Map<Object, Boolean> seen, int depth) {
        int mark = path.size();
        path.add(label);
        String found = walk(o, path, seen, depth + 1);
        if (found == null) {
            truncate(path, mark);
        }
        return found;
    }

    private static void truncate(List<String> path, int size) {
        while (path.size() > size) {
            path.removeLast();
        }
    }

    private static String describeType(Object arg) {
        if (arg == null) {
            return "";
        }
        Class<?> c = arg.getClass();
        return isLambda(c) ? " (a lambda)" : " (" + c.getSimpleName() + ")";
    }

    private static String shorten(Object key) {
        String s = String.valueOf(key);
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static boolean isLambda(Class<?> c) {
        return c.isHidden() && c.getSimpleName().contains("$$Lambda");
    }

    private static String lambdaHost(Class<?> c) {
        String n = c.getName();
        int i = n.indexOf("$$Lambda");
        return i > 0 ? n.substring(0, i) : n;
    }

    private static boolean isJdk(Class<?> c) {
        ClassLoader l = c.getClassLoader();
        return l == null || l == ClassLoader.getPlatformClassLoader();
    }

    /** The lambda's serial form, produced by its own writeReplace; null if that fails. */
    private static SerializedLambda serializedLambda(Object lambda) {
        try (Grab g = new Grab()) {
            g.writeObject(lambda);
        } catch (Grab.Found f) {
            return f.lambda;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** Stops at the first object a stream is about to write, if it is a SerializedLambda. */
    private static final class Grab extends ObjectOutputStream {
        Grab() throws IOException {
            super(OutputStream.nullOutputStream());
            enableReplaceObject(true);
        }

        @Override
        protected Object replaceObject(Object obj) {
            if (obj instanceof SerializedLambda sl) {
                throw new Found(sl);
            }
            return obj;
        }

        static final class Found extends RuntimeException {
            private static final long serialVersionUID = 1L;
            final transient SerializedLambda lambda;

            Found(SerializedLambda lambda) {
                super(null, null, false, false);
                this.lambda = lambda;
            }
        }
    }
}
