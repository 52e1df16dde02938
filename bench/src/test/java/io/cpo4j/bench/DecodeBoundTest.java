package io.cpo4j.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class DecodeBoundTest {

    private final LlamaShape smol = LlamaShape.smollm2_135m();

    @Test
    void smollm2HasTheParameterCountOfItsModelCard() {
        assertThat(smol.parameterCount()).isEqualTo(134_515_008L);
        // layer: q 576·576 + k, v 576·192 each + o 576·576 + gate, up, down 576·1536 each + two norms
        assertThat(smol.layerParameters()).isEqualTo(3_540_096L);
    }

    /** 30 layers + final norm + the 49152 × 576 head + one embedding row, 4 bytes each; K and V of 129 positions. */
    @Test
    void decodingReadsTheWeightsOnceAndTheCacheUpToTheNewToken() {
        assertThat(smol.decodeWeightBytes()).isEqualTo(538_062_336.0);
        assertThat(smol.decodeCacheBytes(128)).isEqualTo(5_944_320.0);
        assertThat(DecodeBound.bytesPerStep(smol, 128, 1)).isEqualTo(544_006_656.0);
    }

    @Test
    void anUntiedEmbeddingAddsParametersButNoBytesPerToken() {
        LlamaShape untied = new LlamaShape("untied", 49152, 576, 1536, 30, 9, 3, 64, false, 2048);
        assertThat(untied.parameterCount()).isEqualTo(134_515_008L + 49152L * 576);
        assertThat(untied.decodeWeightBytes()).isEqualTo(smol.decodeWeightBytes());
    }

    @Test
    void boundIsBandwidthOverBytesPerToken() {
        assertThat(DecodeBound.tokensPerSecond(10e9, smol, 128, 1)).isCloseTo(18.3821, within(1e-4));
        // at the full context the cache adds 94 MB to the 538 MB of weights
        assertThat(DecodeBound.tokensPerSecond(10e9, smol, 2047, 1)).isCloseTo(10e9 / (538_062_336.0 + 94_371_840.0), within(1e-9));
        // batch 8 shares the weights: 8 × 10e9 / (538 MB + 8 × 5.9 MB)
        assertThat(DecodeBound.tokensPerSecond(10e9, smol, 128, 8)).isCloseTo(136.6081, within(1e-4));
    }

    @Test
    void refusesANonPositiveBandwidth() {
        assertThatThrownBy(() -> DecodeBound.tokensPerSecond(Double.NaN, smol, 128, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DecodeBound.tokensPerSecond(0, smol, 128, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
