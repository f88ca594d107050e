package dev.forkwise.process;

import dev.forkwise.NotTransferableException;
import dev.forkwise.ProcessOptions;
import dev.forkwise.codec.Parts;
import dev.forkwise.codec.Portable;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Where worker JVMs find classes, and whether a task's classes are there.
 *
 * <p>A worker is a fresh JVM: it can load only what its class path names. The parent's {@code
 * java.class.path} is not always where the application's classes come from: under {@code mvn
 * exec:java}, in a plugin host or an application server they come from a {@link URLClassLoader} the
 * class path does not name, and under the JDK's source launcher ({@code java Main.java}) from
 * memory. So a worker's class path is, in order: the file URLs of the {@code URLClassLoader}s from
 * the given class loader up to the system class loader, then {@code java.class.path}; or exactly
 * {@link ProcessOptions#classPath()} when the user set it.
 *
 * <p>And at {@code submit}, before anything is sent, {@link Check#check} makes sure the task's code
 * can be loaded by the workers: its class comes from one of the JDK's class loaders, the system
 * class loader, or from a jar or folder on the workers' class path. Anything else fails there with
 * a {@link NotTransferableException} that says why and what to do, instead of a {@code
 * ClassNotFoundException} in a worker that would read as the task's failure.
 */
final class ClassPaths {

    private ClassPaths() {}

    /**
     * The class path for workers: {@code options}' own if set, else the URLs of the {@code
     * URLClassLoader}s from each of {@code loaders} upwards, then {@code java.class.path}.
     */
    static List<String> forWorkers(ProcessOptions options, ClassLoader... loaders) {
        if (options.classPath().isPresent()) {
            return options.classPath().get();
        }
        Set<String> out = new LinkedHashSet<>();
        for (ClassLoader l : loaders) {
            out.addAll(urlEntries(l));
        }
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /**
     * The file entries of the {@code URLClassLoader}s from {@code loader} up to the system class
     * loader.
     */
    private static List<String> urlEntries(ClassLoader loader) {
        List<List<String>> chain = new ArrayList<>();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        for (ClassLoader l = loader;
                l != null && l != system && l != ClassLoader.getPlatformClassLoader();
                l = l.getParent()) {
            if (l instanceof URLClassLoader u) {
                List<String> entries = new ArrayList<>();
                for (URL url : u.getURLs()) {
                    Path p = fileOf(url);
                    if (p != null) {
                        entries.add(p.toString());
                    }
                }
                chain.add(entries);
            }
        }
        // parents first, as class loading delegates to them first
        List<String> out = new ArrayList<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            out.addAll(chain.get(i));
        }
        return out;
    }

    private static Path fileOf(URL url) {
        if (!"file".equals(url.getProtocol())) {
            return null;
        }
        try {
            return Path.of(url.toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    /** The thread's context class loader, else forkwise's own. */
    static ClassLoader contextLoader() {
        ClassLoader l = Thread.currentThread().getContextClassLoader();
        return l != null ? l : ClassPaths.class.getClassLoader();
    }

    /**
     * The check of one pool's (or child's) tasks against its workers' class path. Remembers the
     * class loaders it has passed, so a stream of tasks costs one comparison each.
     */
    static final class Check {
        private final Set<Path> entries = new LinkedHashSet<>();
        private final boolean trusted;

        /** Classes that passed; a loader's classes may come from several places, so not loaders. */
        private final Set<Class<?>> passed = ConcurrentHashMap.newKeySet();

        /**
         * A check against {@code classPath}; with {@code trusted}, the user chose the path: nothing
         * is checked.
         */
        Check(List<String> classPath, boolean trusted) {
            this.trusted = trusted;
            for (String e : classPath) {
                entries.add(Path.of(e).toAbsolutePath().normalize());
            }
        }

        /**
         * The check for workers started with {@code command} ({@link Launch#command}); none when
         * the user chose the class path, or workers run forkwise as a module.
         */
        static Check of(ProcessOptions options, List<String> command) {
            int cp = command.indexOf("-cp");
            boolean trusted =
                    options.classPath().isPresent() || cp < 0 || command.contains("--module-path");
            List<String> path =
                    cp < 0 || cp + 1 >= command.size()
                            ? List.of()
                            : List.of(command.get(cp + 1).split(File.pathSeparator));
            return new Check(path, trusted);
        }

        /**
         * Throws if the code of {@code task} (the task itself, or the function and tasks inside a
         * task forkwise built around them) cannot be loaded by the workers.
         *
         * @param what the task, for the message
         */
        void check(Supplier<String> what, Object task) {
            if (trusted) {
                return;
            }
            if (task instanceof Portable p) {
                for (Object c : p.components()) {
                    if (c != null
                            && !(c
                                    instanceof
                                    Object[])) { // inputs are values; the code is what must load
                        check(what, c);
                    }
                }
                return;
            }
            if (task instanceof Parts p) { // a wrapper of forkwise's around the user's code
                for (var part : p.parts()) {
                    check(what, part.getValue());
                }
                return;
            }
            if (task != null) {
                checkClass(what, task.getClass());
            }
        }

        private void checkClass(Supplier<String> what, Class<?> c) {
            ClassLoader l = c.getClassLoader();
            if (l == null
                    || l == ClassLoader.getSystemClassLoader()
                    || l == ClassLoader.getPlatformClassLoader()
                    || passed.contains(c)) {
                return;
            }
            Class<?> named =
                    c.isHidden()
                            ? c.getNestHost()
                            : c; // a lambda's code is in the class that wrote it
            String problem = problem(named, l);
            if (problem == null) {
                passed.add(c);
                return;
            }
            throw new NotTransferableException(what.get(), what.get() + ": " + problem, null);
        }

        /** Why the workers cannot load {@code c} from {@code l}, or null if they can. */
        private String problem(Class<?> c, ClassLoader l) {
            String loaderName = l.getClass().getName();
            if (loaderName.startsWith("com.sun.tools.javac.launcher.")) {
                return "the task's class "
                        + c.getName()
                        + " was compiled in memory by the JDK's source launcher"
                        + " (java "
                        + c.getSimpleName()
                        + ".java), and a worker JVM cannot load a class that exists only in this"
                        + " JVM's memory. Compile it first (javac -cp <forkwise-core.jar> -d"
                        + " classes "
                        + c.getSimpleName()
                        + ".java; java -cp classes"
                        + File.pathSeparator
                        + "<forkwise-core.jar> "
                        + c.getName()
                        + "), or run the tasks on threads (Pool.threads, Pool.virtualThreads)";
            }
            Path root = rootOf(c);
            if (root != null && entries.contains(root)) {
                return null;
            }
            String where = root == null ? "not from a plain jar or folder" : "from " + root;
            return "the task's class "
                    + c.getName()
                    + " comes from class loader "
                    + loaderName
                    + " ("
                    + where
                    + "), which the workers' class path does not contain. Create the pool on a"
                    + " thread whose context class loader is that loader (forkwise then gives its"
                    + " jars and folders to the workers), or name them with"
                    + " ProcessOptions.builder().classPath(...)";
        }

        /** The jar or folder {@code c} was loaded from, or null when it is not a plain file. */
        private static Path rootOf(Class<?> c) {
            String resource = c.getName().replace('.', '/') + ".class";
            ClassLoader l = c.getClassLoader();
            URL url = l == null ? null : l.getResource(resource);
            if (url == null) {
                return null;
            }
            String s = url.toString();
            try {
                if (s.startsWith("jar:file:") && s.indexOf("!/") == s.lastIndexOf("!/")) {
                    return Path.of(new URI(s.substring("jar:".length(), s.indexOf("!/"))))
                            .toAbsolutePath()
                            .normalize();
                }
                if (s.startsWith("file:") && s.endsWith(resource)) {
                    return Path.of(new URI(s.substring(0, s.length() - resource.length())))
                            .toAbsolutePath()
                            .normalize();
                }
            } catch (URISyntaxException | IllegalArgumentException e) {
                return null;
            }
            return null;
        }
    }
}
