import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Says how two jars differ, entry by entry (name, time stamp, size, content), for .ci/run's
 * reproducible-build step: {@code java .ci/JarDiff.java a.jar b.jar}. Exit code 0 when the entries are
 * the same (the files may still differ, e.g. in entry order or zip metadata, which it then says), 1 otherwise.
 */
public class JarDiff {
    public static void main(String[] args) throws IOException {
        try (ZipFile a = new ZipFile(args[0]); ZipFile b = new ZipFile(args[1])) {
            Map<String, ZipEntry> ea = entries(a), eb = entries(b);
            int differences = 0;
            for (String name : ea.keySet()) {
                ZipEntry x = ea.get(name), y = eb.get(name);
                if (y == null) {
                    System.out.println("  only in the first: " + name);
                    differences++;
                } else if (x.getTime() != y.getTime()) {
                    System.out.println("  time stamp differs: " + name + " (" + x.getLastModifiedTime() + " vs " + y.getLastModifiedTime() + ")");
                    differences++;
                } else if (!Arrays.equals(bytes(a, x), bytes(b, y))) {
                    System.out.println("  content differs: " + name + " (" + x.getSize() + " vs " + y.getSize() + " bytes)");
                    differences++;
                }
            }
            for (String name : eb.keySet()) {
                if (!ea.containsKey(name)) {
                    System.out.println("  only in the second: " + name);
                    differences++;
                }
            }
            if (differences == 0) {
                boolean sameOrder = Arrays.equals(ea.keySet().toArray(), eb.keySet().toArray());
                System.out.println("  same entries and contents; " + (sameOrder ? "zip metadata differs" : "entry order differs"));
            }
            System.exit(differences == 0 ? 0 : 1);
        }
    }

    private static Map<String, ZipEntry> entries(ZipFile z) {
        Map<String, ZipEntry> m = new LinkedHashMap<>();
        for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
            ZipEntry entry = e.nextElement();
            m.put(entry.getName(), entry);
        }
        return m;
    }

    private static byte[] bytes(ZipFile z, ZipEntry e) throws IOException {
        try (InputStream in = z.getInputStream(e)) {
            return in.readAllBytes();
        }
    }
}
