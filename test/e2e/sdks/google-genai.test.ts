// The Google GenAI SDK (@google/genai) against every upstream: generateContent, generateContentStream with usage,
// structured output (responseMimeType + responseSchema), a forced function call, and countTokens (the upstream's
// own count on a Gemini endpoint, the local estimate elsewhere).
import { FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import t from 'tap';
import { HELLO, UPSTREAMS, WEATHER, startSdkGateway } from './helpers.js';

t.test('the Google GenAI SDK through the gateway, to every upstream', async (t) => {
  const s = await startSdkGateway(t);
  for (const u of UPSTREAMS) {
    const ai = new GoogleGenAI({ apiKey: 'client-key', httpOptions: { baseUrl: s.url(u) } });
    const model = 'gemini-2.5-flash';
    const r = await ai.models.generateContent({ model, contents: 'Say hello' });
    t.equal(r.text, HELLO, `${u}: generateContent`);
    t.match(r.usageMetadata, { promptTokenCount: 12, candidatesTokenCount: 2, totalTokenCount: 14 }, `${u}: usageMetadata`);

    let text = '';
    let usage: unknown;
    for await (const chunk of await ai.models.generateContentStream({ model, contents: 'Say hello' })) {
      text += chunk.text ?? '';
      usage = chunk.usageMetadata ?? usage;
    }
    t.equal(text, HELLO, `${u}: generateContentStream`);
    t.match(usage, { promptTokenCount: 12, candidatesTokenCount: 2 }, `${u}: streamed usageMetadata`);

    const structured = await ai.models.generateContent({
      model,
      contents: 'The weather in Paris as JSON',
      config: { responseMimeType: 'application/json', responseSchema: { type: Type.OBJECT, properties: { city: { type: Type.STRING }, temp: { type: Type.NUMBER } }, required: ['city', 'temp'] } },
    });
    t.same(JSON.parse(structured.text ?? ''), WEATHER, `${u}: structured output`);

    const called = await ai.models.generateContent({
      model,
      contents: 'The weather in Paris',
      config: {
        tools: [{ functionDeclarations: [{ name: 'weather', description: 'Weather of a city', parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] } }] }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ['weather'] } },
      },
    });
    t.match(called.functionCalls, [{ name: 'weather', args: WEATHER }], `${u}: a forced function call`);

    const count = await ai.models.countTokens({ model, contents: 'Say hello to everyone in the room' });
    t.ok((count.totalTokens ?? 0) > 0, `${u}: countTokens answers a count (${count.totalTokens})`);
  }
});
