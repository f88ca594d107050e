package dev.forkwise.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The segments of this JVM: where their files go, what they are called, which are mapped, and what
 * is deleted when.
 *
 * <p>A file is named {@code <owner pid>-<owner start>-<n>.<kind>}, so whether its owner is alive
 * can be told from the name alone. The first use of shared memory in a JVM deletes the files of
 * owners that are gone (a crashed process cannot delete its own); a JVM that exits normally deletes
 * what it still owns from a shutdown hook; a process pool sweeps again when it closes, for what its
 * killed workers owned.
 */
final class Segments {

    private static final Pattern NAME = Pattern.compile("(\\d+)-(\\d+)-(\\d+)\\.([a-z]+)");

    /** What a user may call a segment: it becomes part of a file name in the private folder. */
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private static final String NAMED = "named-";
    private static final String REF = ".ref";

    /** The name file of each named segment this process owns, by the segment's path. */
    private static final Map<Path, Path> NAMES = new ConcurrentHashMap<>();

    private static final Set<PosixFilePermission> DIR =
            EnumSet.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE);
    private static final Set<PosixFilePermission> FILE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private static final AtomicLong NEXT = new AtomicLong();

    /** Mapped segments of this JVM by path: a handle that arrives twice maps its file once. */
    private static final Map<Path, Segment> MAPPED = new ConcurrentHashMap<>();

    /** Files this JVM created and has not deleted: the shutdown hook deletes them. */
    private static final Set<Path> OWNED = ConcurrentHashMap.newKeySet();

    private static volatile Path folder;

    private Segments() {}

    /** The folder, made private (0700) and swept of dead owners' files on first use. */
    static Path folder() {
        Path f = folder;
        if (f == null) {
            synchronized (Segments.class) {
                f = folder;
                if (f == null) {
                    f = SharedMemory.configuredFolder();
                    prepare(f);
                    sweep(f);
                    Runtime.getRuntime()
                            .addShutdownHook(
                                    new Thread(Segments::deleteOwned, "forkwise-shm-cleanup"));
                    folder = f;
                }
            }
        }
        return f;
    }

    private static void prepare(Path f) {
        try {
            if (Files.isSymbolicLink(f)) {
                throw new IllegalStateException(
                        "the shared-memory folder "
                                + f
                                + " is a symbolic link; forkwise will not use it. Remove it or set"
                                + " -Dforkwise.shm=<a private folder>");
            }
            if (!Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectories(f.getParent());
                    Files.createDirectory(f, PosixFilePermissions.asFileAttribute(DIR));
                } catch (FileAlreadyExistsException e) {
                    // another process made it at the same time: checked below
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(f);
                }
            }
            if (Files.getFileStore(f).supportsFileAttributeView("posix")) {
                UserPrincipal owner = Files.getOwner(f, LinkOption.NOFOLLOW_LINKS);
                if (!owner.getName().equals(System.getProperty("user.name"))) {
                    throw new IllegalStateException(
                            "the shared-memory folder "
                                    + f
                                    + " belongs to "
                                    + owner.getName()
                                    + ", not to "
                                    + System.getProperty("user.name")
                                    + "; set -Dforkwise.shm=<a folder of your own>");
                }
                if (!Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS).equals(DIR)) {
                    Files.setPosixFilePermissions(f, DIR);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot prepare the shared-memory folder "
                            + f
                            + ": "
                            + e.getMessage()
                            + "; set -Dforkwise.shm=<a writable folder>",
                    e);
        }
    }

    /** Creates a new segment owned by this process. */
    static Segment create(Segment.Kind kind, long payload) {
        Path path = newPath(kind.extension());
        try {
            try {
                Files.createFile(path, PosixFilePermissions.asFileAttribute(FILE));
            } catch (UnsupportedOperationException e) {
                Files.createFile(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot create shared memory in " + path.getParent() + ": " + e.getMessage(),
                    e);
        }
        OWNED.add(path);
        try {
            Segment s = Segment.create(path, kind, payload);
            MAPPED.put(path, s);
            return s;
        } catch (RuntimeException e) {
            delete(path);
            throw e;
        }
    }

    /** A fresh path in the folder for something this process owns ({@code ext}: what it is). */
    static Path newPath(String ext) {
        return folder().resolve(
                        Owners.PID + "-" + Owners.START + "-" + NEXT.incrementAndGet() + "." + ext);
    }

    /** Marks a non-segment file (a socket) as owned, so the shutdown hook deletes it. */
    static void own(Path path) {
        OWNED.add(path);
    }

    /** Deletes an owned path now. */
    static void delete(Path path) {
        OWNED.remove(path);
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // the shutdown hook or the next sweep tries again
            OWNED.add(path);
        }
    }

    /** The segment at {@code path}, mapped once per JVM. */
    static Segment attach(Path path, Segment.Kind kind) {
        Segment s = MAPPED.get(path);
        if (s != null && !s.isClosed()) {
            if (s.kind != kind) {
                throw new IllegalStateException(
                        "shared memory " + path + " holds a " + s.kind + ", not a " + kind);
            }
            return s;
        }
        synchronized (Segments.class) {
            s = MAPPED.get(path);
            if (s == null || s.isClosed()) {
                s = Segment.attach(path, kind);
                MAPPED.put(path, s);
            }
            return s;
        }
    }

    /**
     * A segment was closed: drop it, and delete its file (and its name) if this process owns it.
     */
    static void forget(Segment s) {
        MAPPED.remove(s.path, s);
        if (s.owner) {
            Path name = NAMES.remove(s.path);
            if (name != null) {
                delete(name);
            }
            delete(s.path);
        }
    }

    /**
     * Gives a segment this process just created a name that any process of the same user can attach
     * it by: a file {@code named-<name>.ref} beside it, created only if no live segment has the
     * name, holding the segment's file name.
     *
     * @throws IllegalArgumentException if the name is not a plain file-name word
     * @throws IllegalStateException if a live segment already has the name
     */
    static void name(Segment s, String name) {
        Path ref = refOf(name);
        String target = s.path.getFileName().toString();
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                try {
                    Files.writeString(
                            Files.createFile(ref, PosixFilePermissions.asFileAttribute(FILE)),
                            target);
                } catch (UnsupportedOperationException e) {
                    Files.writeString(Files.createFile(ref), target);
                }
                OWNED.add(ref);
                NAMES.put(s.path, ref);
                return;
            } catch (FileAlreadyExistsException e) {
                Path other = target(ref);
                if (other != null && Files.exists(other) && !dead(other.getFileName().toString())) {
                    throw new IllegalStateException(
                            "shared memory named '"
                                    + name
                                    + "' already exists ("
                                    + other.getFileName()
                                    + "); attach it with SharedArray.attachBytes(\""
                                    + name
                                    + "\"), or choose another name");
                }
                delete(ref); // its segment is gone (its owner closed it or died): the name is free
            } catch (IOException e) {
                throw new UncheckedIOException("cannot name shared memory '" + name + "': " + e, e);
            }
        }
        throw new IllegalStateException(
                "cannot name shared memory '" + name + "': others keep taking it");
    }

    /**
     * The file of the segment named {@code name}.
     *
     * @throws IllegalArgumentException if no live segment has that name in this user's folder
     */
    static Path named(String name) {
        Path ref = refOf(name);
        Path target = target(ref);
        if (target == null || !Files.exists(target) || dead(target.getFileName().toString())) {
            throw new IllegalArgumentException(
                    "no shared memory named '"
                            + name
                            + "' in "
                            + folder()
                            + ": it was never created, or its creator closed it or exited. Names"
                            + " are per user and per shared-memory folder (-Dforkwise.shm); create"
                            + " it with SharedArray.bytes(length, \""
                            + name
                            + "\") and keep it open while others attach");
        }
        return target;
    }

    private static Path refOf(String name) {
        if (name == null || !USER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "a shared-memory name is 1 to 64 letters, digits, '_', '.' or '-', not"
                            + " starting with '.' or '-': "
                            + (name == null ? "null" : "'" + name + "'"));
        }
        return folder().resolve(NAMED + name + REF);
    }

    /** The segment a name file points at, or null if it cannot be read. */
    private static Path target(Path ref) {
        try {
            String file = Files.readString(ref).strip();
            return NAME.matcher(file).matches() ? ref.resolveSibling(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteOwned() {
        for (Path p : new ArrayList<>(OWNED)) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // the next sweep will
            }
        }
    }

    /** Deletes the files in {@code f} whose owners are gone; returns how many. */
    static int sweep(Path f) {
        if (!Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        List<Path> dead = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(f)) {
            for (Path p : files) {
                String file = p.getFileName().toString();
                Matcher m = NAME.matcher(file);
                if (m.matches()
                        && !Owners.alive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))) {
                    dead.add(p);
                } else if (file.startsWith(NAMED) && file.endsWith(REF)) {
                    Path target = target(p);
                    if (target == null
                            || !Files.exists(target)
                            || dead(target.getFileName().toString())) {
                        dead.add(p); // a name whose segment is gone, or going
                    }
                }
            }
        } catch (IOException e) {
            return 0;
        }
        int n = 0;
        for (Path p : dead) {
            try {
                n += Files.deleteIfExists(p) ? 1 : 0;
            } catch (IOException e) {
                // left for the next sweep
            }
        }
        return n;
    }

    /** Whether the segment file named {@code file} belongs to a process that is gone. */
    private static boolean dead(String file) {
        Matcher m = NAME.matcher(file);
        return m.matches() && !Owners.alive(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
    }

    /**
     * @return the files in the folder that this process owns, for tests and diagnostics
     */
    static List<Path> owned() {
        return List.copyOf(OWNED);
    }
}
