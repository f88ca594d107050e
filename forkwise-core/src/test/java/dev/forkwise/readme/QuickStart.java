package dev.forkwise.readme;

// The README's quick start, verbatim below this line (ReadmeTest keeps the two the same).
import dev.forkwise.Pool;

import java.util.List;
import java.util.concurrent.CompletableFuture;

public class QuickStart {
    static long sumOfSquares(long n) {
        long sum = 0;
        for (long i = 0; i < n; i++) {
            sum += i * i;
        }
        return sum;
    }

    static String fetch(String url) throws InterruptedException {
        Thread.sleep(100); // stands in for a network call
        return url + " -> 200 OK";
    }

    public static void main(String[] args) throws Exception {
        // Computing: one platform thread per core (Java has no GIL).
        int cores = Runtime.getRuntime().availableProcessors();
        try (Pool pool = Pool.threads(cores)) {
            List<Long> sums = pool.map(QuickStart::sumOfSquares, List.of(10L, 1_000L, 1_000_000L));
            CompletableFuture<Long> one = pool.submit(() -> sumOfSquares(2_000_000));
            System.out.println(sums + " " + one.get());
        }
        // Waiting: one virtual thread per task, thousands at once.
        try (Pool pool = Pool.virtualThreads()) {
            List<String> urls = List.of("https://a.example", "https://b.example");
            pool.imapUnordered(QuickStart::fetch, urls).forEach(System.out::println);
        }
    }
}
