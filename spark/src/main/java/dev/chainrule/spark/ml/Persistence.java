package dev.chainrule.spark.ml;

import dev.chainrule.nn.Module;
import dev.chainrule.nn.io.Checkpoint;
import dev.chainrule.spark.ModelFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;

/**
 * The files under an ML persistence directory besides Spark's {@code metadata}: {@code data/factory.ser}
 * (the model factory, Java-serialized: it is the architecture) and {@code data/model.safetensors}
 * (the parameters, Chainrule's checkpoint format, readable from Python). Paths go through Hadoop's
 * FileSystem, so any URI Spark can write (local, HDFS, S3) works.
 */
final class Persistence {
    private Persistence() {}

    static final String FACTORY = "data/factory.ser";
    static final String PARAMETERS = "data/model.safetensors";

    static void writeFactory(ModelFactory factory, String dir, Configuration conf) {
        byte[] bytes;
        try {
            bytes = ModelFactory.toBytes(factory);
        } catch (IOException e) {
            throw new IllegalArgumentException("the model factory (" + factory.getClass().getName() + ") cannot be serialized: " + e, e);
        }
        write(dir, FACTORY, bytes, conf);
    }

    static boolean exists(String dir, String name, Configuration conf) {
        try {
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir, name);
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ModelFactory readFactory(String dir, Configuration conf) {
        try {
            return ModelFactory.fromBytes(read(dir, FACTORY, conf));
        } catch (IOException | ClassNotFoundException e) {
            throw new IllegalStateException(dir + "/" + FACTORY + ": cannot read the model factory (" + e
                + "); the classes of the factory that saved it must be on the class path", e);
        }
    }

    /** Writes {@code model}'s parameters with {@code metadata} as {@code dir/data/model.safetensors}. */
    static void writeParameters(Module model, Map<String, String> metadata, String dir, Configuration conf) {
        try {
            Path tmp = Files.createTempFile("chainrule-model", ".safetensors");
            try {
                Checkpoint.save(model, tmp, metadata);
                write(dir, PARAMETERS, Files.readAllBytes(tmp), conf);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot write the parameters: " + e.getMessage(), e);
        }
    }

    /** Loads {@code dir/data/model.safetensors} into {@code model}; returns the file's metadata. */
    static Map<String, String> readParameters(Module model, String dir, Configuration conf) {
        try {
            Path tmp = Files.createTempFile("chainrule-model", ".safetensors");
            try {
                Files.write(tmp, read(dir, PARAMETERS, conf));
                return Checkpoint.load(model, tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(dir + "/" + PARAMETERS + ": " + e.getMessage(), e);
        }
    }

    private static void write(String dir, String name, byte[] data, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir, name);
        try {
            FileSystem fs = p.getFileSystem(conf);
            try (OutputStream out = fs.create(p, true)) {
                out.write(data);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(String dir, String name, Configuration conf) {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(dir, name);
        try {
            FileSystem fs = p.getFileSystem(conf);
            try (InputStream in = fs.open(p)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
