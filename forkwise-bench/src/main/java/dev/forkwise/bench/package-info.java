/**
 * JMH benchmarks of forkwise's hot paths, each beside a baseline measured in the same run. Run with
 * {@code java -jar forkwise-bench/target/benchmarks.jar -f 1 -wi 1 -i 3} after {@code mvn package}.
 */
package dev.forkwise.bench;
