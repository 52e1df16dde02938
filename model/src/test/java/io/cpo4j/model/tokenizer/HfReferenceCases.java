package io.cpo4j.model.tokenizer;

import io.cpo4j.engine.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The expected ids of tools/tokenizer-reference/reference.mjs (transformers.js), read from a test resource. */
record HfReferenceCases(String reference, List<Case> cases) {

    record Case(String text, int[] ids, int[] idsWithSpecial, String decoded) {}

    @SuppressWarnings("unchecked")
    static HfReferenceCases read(String resource) throws IOException {
        try (InputStream in = HfReferenceCases.class.getResourceAsStream("hf/" + resource)) {
            if (in == null) throw new IOException("test resource hf/" + resource + " is missing");
            Map<String, Object> root = Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
            List<Case> cases = new ArrayList<>();
            for (Object o : (List<Object>) root.get("cases")) {
                Map<String, Object> c = (Map<String, Object>) o;
                cases.add(new Case((String) c.get("text"), ints(c.get("ids")), ints(c.get("ids_with_special")), (String) c.get("decoded")));
            }
            return new HfReferenceCases((String) root.get("reference"), cases);
        }
    }

    private static int[] ints(Object list) {
        List<?> l = (List<?>) list;
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = (int) (long) (Long) l.get(i);
        return a;
    }
}
