/*
 * emit.c - the bytes `kustomize build` prints for one resource.
 *
 * kustomize v5.5.0 prints a resource with Resource.AsYAML(): the go-yaml v3
 * tree is decoded into Go values (map[string]interface{}, []interface{},
 * string, int, uint64, float64, bool, nil, time.Time), encoding/json.Marshal
 * turns them into JSON, and sigs.k8s.io/yaml.JSONToYAML reads that JSON with
 * go-yaml v2 and writes it back with go-yaml v2's encoder and emitter.  This
 * file walks a kr_node tree and produces the same bytes without building any
 * of the intermediate forms:
 *
 *  - scalars are re-typed the way the pipeline re-types them: ints become
 *    decimal, floats go through Go's JSON float format and then through
 *    go-yaml v2's resolver (an integral float is an int again) and
 *    strconv.FormatFloat(f, 'g', -1, 64); plain timestamps become RFC 3339
 *    strings; strings lose what JSON and the v2 parser lose (invalid UTF-8
 *    becomes U+FFFD, a raw U+0085 is folded like a line break) and some
 *    characters make the v2 parser fail ("control characters are not
 *    allowed");
 *  - mapping keys are ordered by go-yaml v2's keyList.Less (sorter.go);
 *  - the layout, scalar styles, quoting, escaping and folding at 80 columns
 *    are a port of go-yaml v2's encoder (encode.go stringv) and emitter
 *    (emitterc.go), driven by a recursive walk instead of an event queue.
 *
 * Memory: nothing is allocated per scalar.  The keys of the open mappings
 * are sorted in one stack of index entries that starts on the C stack (256
 * entries) and moves to the heap only for documents with more keys open at
 * once; strings that need rewriting (invalid UTF-8, U+0085) and numbers
 * longer than NUMBUF use a temporary malloc'd copy.
 * Locale: strtod/snprintf are used for floats and assume the C locale's
 * decimal point.
 *
 * Timestamps: kr_tag has no timestamp type; kr_resolve_plain() types a
 * plain 2001-12-14 as a string.  A scalar is taken for go-yaml v3's
 * !!timestamp when it is a STR, plain in style, read from a file (line !=
 * 0; nodes made by transformers have line 0), had no explicit tag in the
 * source (KR_NODE_TAGGED: `!!str 2001-12-14` stays a string) and parses as
 * one.
 */
#include "emit.h"
#include "gonum.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEST_WIDTH 80   /* yaml_emitter_t.best_width (v2 default) */
#define BEST_INDENT 2   /* yaml_emitter_t.best_indent */

static const char ERR_CONTROL[] = "yaml: control characters are not allowed";
/* go-yaml v2 names the line of the JSON text, which is 2 when the string
 * holds no other U+0085 before the indicator and no earlier string in the
 * JSON holds one: the usual case, and the only one reproduced. */
static const char ERR_DOCIND[] = "yaml: line 2: found unexpected document indicator";
static const char ERR_NAN[] = "json: unsupported value: NaN";
static const char ERR_PINF[] = "json: unsupported value: +Inf";
static const char ERR_NINF[] = "json: unsupported value: -Inf";
static const char ERR_MAPKEY[] =
	"json: unsupported type: map[interface {}]interface {}";
static const char ERR_TZ[] =
	"json: error calling MarshalJSON for type time.Time: "
	"Time.MarshalJSON: timezone hour outside of range [0,23]";
static const char ERR_KEY_NEL[] = "yaml: line 1: did not find expected ',' or '}'";
static const char ERR_KEY_LONG[] = "yaml: did not find expected ',' or '}'";
static const char ERR_NOMEM[] = "out of memory";

/* ------------------------------------------------------------------------
 * Unicode classes for the key comparator (Go unicode.IsLetter/IsDigit).
 * Ranges of code points >= 0x80 in the categories L* (letters) and Nd
 * (digits).  Generated from Python's unicodedata (Unicode 14.0) plus the
 * letters and digits Unicode 15.0 added (Go 1.23, which kubectl 1.32 is
 * built with, uses 15.0): Kawi, Nag Mundari, CJK extension H, Cyrillic
 * extension D, Latin extension G, two Khojki letters and small kana KO.
 * This is an approximation only in the sense that a future Go may use a
 * newer Unicode; keys with such characters are very rare.
 * ------------------------------------------------------------------------ */
static const uint32_t uni_letters[][2] = {
	{0xAA, 0xAA}, {0xB5, 0xB5}, {0xBA, 0xBA}, {0xC0, 0xD6}, {0xD8, 0xF6},
	{0xF8, 0x2C1}, {0x2C6, 0x2D1}, {0x2E0, 0x2E4}, {0x2EC, 0x2EC},
	{0x2EE, 0x2EE}, {0x370, 0x374}, {0x376, 0x377}, {0x37A, 0x37D},
	{0x37F, 0x37F}, {0x386, 0x386}, {0x388, 0x38A}, {0x38C, 0x38C},
	{0x38E, 0x3A1}, {0x3A3, 0x3F5}, {0x3F7, 0x481}, {0x48A, 0x52F},
	{0x531, 0x556}, {0x559, 0x559}, {0x560, 0x588}, {0x5D0, 0x5EA},
	{0x5EF, 0x5F2}, {0x620, 0x64A}, {0x66E, 0x66F}, {0x671, 0x6D3},
	{0x6D5, 0x6D5}, {0x6E5, 0x6E6}, {0x6EE, 0x6EF}, {0x6FA, 0x6FC},
	{0x6FF, 0x6FF}, {0x710, 0x710}, {0x712, 0x72F}, {0x74D, 0x7A5},
	{0x7B1, 0x7B1}, {0x7CA, 0x7EA}, {0x7F4, 0x7F5}, {0x7FA, 0x7FA},
	{0x800, 0x815}, {0x81A, 0x81A}, {0x824, 0x824}, {0x828, 0x828},
	{0x840, 0x858}, {0x860, 0x86A}, {0x870, 0x887}, {0x889, 0x88E},
	{0x8A0, 0x8C9}, {0x904, 0x939}, {0x93D, 0x93D}, {0x950, 0x950},
	{0x958, 0x961}, {0x971, 0x980}, {0x985, 0x98C}, {0x98F, 0x990},
	{0x993, 0x9A8}, {0x9AA, 0x9B0}, {0x9B2, 0x9B2}, {0x9B6, 0x9B9},
	{0x9BD, 0x9BD}, {0x9CE, 0x9CE}, {0x9DC, 0x9DD}, {0x9DF, 0x9E1},
	{0x9F0, 0x9F1}, {0x9FC, 0x9FC}, {0xA05, 0xA0A}, {0xA0F, 0xA10},
	{0xA13, 0xA28}, {0xA2A, 0xA30}, {0xA32, 0xA33}, {0xA35, 0xA36},
	{0xA38, 0xA39}, {0xA59, 0xA5C}, {0xA5E, 0xA5E}, {0xA72, 0xA74},
	{0xA85, 0xA8D}, {0xA8F, 0xA91}, {0xA93, 0xAA8}, {0xAAA, 0xAB0},
	{0xAB2, 0xAB3}, {0xAB5, 0xAB9}, {0xABD, 0xABD}, {0xAD0, 0xAD0},
	{0xAE0, 0xAE1}, {0xAF9, 0xAF9}, {0xB05, 0xB0C}, {0xB0F, 0xB10},
	{0xB13, 0xB28}, {0xB2A, 0xB30}, {0xB32, 0xB33}, {0xB35, 0xB39},
	{0xB3D, 0xB3D}, {0xB5C, 0xB5D}, {0xB5F, 0xB61}, {0xB71, 0xB71},
	{0xB83, 0xB83}, {0xB85, 0xB8A}, {0xB8E, 0xB90}, {0xB92, 0xB95},
	{0xB99, 0xB9A}, {0xB9C, 0xB9C}, {0xB9E, 0xB9F}, {0xBA3, 0xBA4},
	{0xBA8, 0xBAA}, {0xBAE, 0xBB9}, {0xBD0, 0xBD0}, {0xC05, 0xC0C},
	{0xC0E, 0xC10}, {0xC12, 0xC28}, {0xC2A, 0xC39}, {0xC3D, 0xC3D},
	{0xC58, 0xC5A}, {0xC5D, 0xC5D}, {0xC60, 0xC61}, {0xC80, 0xC80},
	{0xC85, 0xC8C}, {0xC8E, 0xC90}, {0xC92, 0xCA8}, {0xCAA, 0xCB3},
	{0xCB5, 0xCB9}, {0xCBD, 0xCBD}, {0xCDD, 0xCDE}, {0xCE0, 0xCE1},
	{0xCF1, 0xCF2}, {0xD04, 0xD0C}, {0xD0E, 0xD10}, {0xD12, 0xD3A},
	{0xD3D, 0xD3D}, {0xD4E, 0xD4E}, {0xD54, 0xD56}, {0xD5F, 0xD61},
	{0xD7A, 0xD7F}, {0xD85, 0xD96}, {0xD9A, 0xDB1}, {0xDB3, 0xDBB},
	{0xDBD, 0xDBD}, {0xDC0, 0xDC6}, {0xE01, 0xE30}, {0xE32, 0xE33},
	{0xE40, 0xE46}, {0xE81, 0xE82}, {0xE84, 0xE84}, {0xE86, 0xE8A},
	{0xE8C, 0xEA3}, {0xEA5, 0xEA5}, {0xEA7, 0xEB0}, {0xEB2, 0xEB3},
	{0xEBD, 0xEBD}, {0xEC0, 0xEC4}, {0xEC6, 0xEC6}, {0xEDC, 0xEDF},
	{0xF00, 0xF00}, {0xF40, 0xF47}, {0xF49, 0xF6C}, {0xF88, 0xF8C},
	{0x1000, 0x102A}, {0x103F, 0x103F}, {0x1050, 0x1055}, {0x105A, 0x105D},
	{0x1061, 0x1061}, {0x1065, 0x1066}, {0x106E, 0x1070}, {0x1075, 0x1081},
	{0x108E, 0x108E}, {0x10A0, 0x10C5}, {0x10C7, 0x10C7}, {0x10CD, 0x10CD},
	{0x10D0, 0x10FA}, {0x10FC, 0x1248}, {0x124A, 0x124D}, {0x1250, 0x1256},
	{0x1258, 0x1258}, {0x125A, 0x125D}, {0x1260, 0x1288}, {0x128A, 0x128D},
	{0x1290, 0x12B0}, {0x12B2, 0x12B5}, {0x12B8, 0x12BE}, {0x12C0, 0x12C0},
	{0x12C2, 0x12C5}, {0x12C8, 0x12D6}, {0x12D8, 0x1310}, {0x1312, 0x1315},
	{0x1318, 0x135A}, {0x1380, 0x138F}, {0x13A0, 0x13F5}, {0x13F8, 0x13FD},
	{0x1401, 0x166C}, {0x166F, 0x167F}, {0x1681, 0x169A}, {0x16A0, 0x16EA},
	{0x16F1, 0x16F8}, {0x1700, 0x1711}, {0x171F, 0x1731}, {0x1740, 0x1751},
	{0x1760, 0x176C}, {0x176E, 0x1770}, {0x1780, 0x17B3}, {0x17D7, 0x17D7},
	{0x17DC, 0x17DC}, {0x1820, 0x1878}, {0x1880, 0x1884}, {0x1887, 0x18A8},
	{0x18AA, 0x18AA}, {0x18B0, 0x18F5}, {0x1900, 0x191E}, {0x1950, 0x196D},
	{0x1970, 0x1974}, {0x1980, 0x19AB}, {0x19B0, 0x19C9}, {0x1A00, 0x1A16},
	{0x1A20, 0x1A54}, {0x1AA7, 0x1AA7}, {0x1B05, 0x1B33}, {0x1B45, 0x1B4C},
	{0x1B83, 0x1BA0}, {0x1BAE, 0x1BAF}, {0x1BBA, 0x1BE5}, {0x1C00, 0x1C23},
	{0x1C4D, 0x1C4F}, {0x1C5A, 0x1C7D}, {0x1C80, 0x1C88}, {0x1C90, 0x1CBA},
	{0x1CBD, 0x1CBF}, {0x1CE9, 0x1CEC}, {0x1CEE, 0x1CF3}, {0x1CF5, 0x1CF6},
	{0x1CFA, 0x1CFA}, {0x1D00, 0x1DBF}, {0x1E00, 0x1F15}, {0x1F18, 0x1F1D},
	{0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59},
	{0x1F5B, 0x1F5B}, {0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4},
	{0x1FB6, 0x1FBC}, {0x1FBE, 0x1FBE}, {0x1FC2, 0x1FC4}, {0x1FC6, 0x1FCC},
	{0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF4},
	{0x1FF6, 0x1FFC}, {0x2071, 0x2071}, {0x207F, 0x207F}, {0x2090, 0x209C},
	{0x2102, 0x2102}, {0x2107, 0x2107}, {0x210A, 0x2113}, {0x2115, 0x2115},
	{0x2119, 0x211D}, {0x2124, 0x2124}, {0x2126, 0x2126}, {0x2128, 0x2128},
	{0x212A, 0x212D}, {0x212F, 0x2139}, {0x213C, 0x213F}, {0x2145, 0x2149},
	{0x214E, 0x214E}, {0x2183, 0x2184}, {0x2C00, 0x2CE4}, {0x2CEB, 0x2CEE},
	{0x2CF2, 0x2CF3}, {0x2D00, 0x2D25}, {0x2D27, 0x2D27}, {0x2D2D, 0x2D2D},
	{0x2D30, 0x2D67}, {0x2D6F, 0x2D6F}, {0x2D80, 0x2D96}, {0x2DA0, 0x2DA6},
	{0x2DA8, 0x2DAE}, {0x2DB0, 0x2DB6}, {0x2DB8, 0x2DBE}, {0x2DC0, 0x2DC6},
	{0x2DC8, 0x2DCE}, {0x2DD0, 0x2DD6}, {0x2DD8, 0x2DDE}, {0x2E2F, 0x2E2F},
	{0x3005, 0x3006}, {0x3031, 0x3035}, {0x303B, 0x303C}, {0x3041, 0x3096},
	{0x309D, 0x309F}, {0x30A1, 0x30FA}, {0x30FC, 0x30FF}, {0x3105, 0x312F},
	{0x3131, 0x318E}, {0x31A0, 0x31BF}, {0x31F0, 0x31FF}, {0x3400, 0x4DBF},
	{0x4E00, 0xA48C}, {0xA4D0, 0xA4FD}, {0xA500, 0xA60C}, {0xA610, 0xA61F},
	{0xA62A, 0xA62B}, {0xA640, 0xA66E}, {0xA67F, 0xA69D}, {0xA6A0, 0xA6E5},
	{0xA717, 0xA71F}, {0xA722, 0xA788}, {0xA78B, 0xA7CA}, {0xA7D0, 0xA7D1},
	{0xA7D3, 0xA7D3}, {0xA7D5, 0xA7D9}, {0xA7F2, 0xA801}, {0xA803, 0xA805},
	{0xA807, 0xA80A}, {0xA80C, 0xA822}, {0xA840, 0xA873}, {0xA882, 0xA8B3},
	{0xA8F2, 0xA8F7}, {0xA8FB, 0xA8FB}, {0xA8FD, 0xA8FE}, {0xA90A, 0xA925},
	{0xA930, 0xA946}, {0xA960, 0xA97C}, {0xA984, 0xA9B2}, {0xA9CF, 0xA9CF},
	{0xA9E0, 0xA9E4}, {0xA9E6, 0xA9EF}, {0xA9FA, 0xA9FE}, {0xAA00, 0xAA28},
	{0xAA40, 0xAA42}, {0xAA44, 0xAA4B}, {0xAA60, 0xAA76}, {0xAA7A, 0xAA7A},
	{0xAA7E, 0xAAAF}, {0xAAB1, 0xAAB1}, {0xAAB5, 0xAAB6}, {0xAAB9, 0xAABD},
	{0xAAC0, 0xAAC0}, {0xAAC2, 0xAAC2}, {0xAADB, 0xAADD}, {0xAAE0, 0xAAEA},
	{0xAAF2, 0xAAF4}, {0xAB01, 0xAB06}, {0xAB09, 0xAB0E}, {0xAB11, 0xAB16},
	{0xAB20, 0xAB26}, {0xAB28, 0xAB2E}, {0xAB30, 0xAB5A}, {0xAB5C, 0xAB69},
	{0xAB70, 0xABE2}, {0xAC00, 0xD7A3}, {0xD7B0, 0xD7C6}, {0xD7CB, 0xD7FB},
	{0xF900, 0xFA6D}, {0xFA70, 0xFAD9}, {0xFB00, 0xFB06}, {0xFB13, 0xFB17},
	{0xFB1D, 0xFB1D}, {0xFB1F, 0xFB28}, {0xFB2A, 0xFB36}, {0xFB38, 0xFB3C},
	{0xFB3E, 0xFB3E}, {0xFB40, 0xFB41}, {0xFB43, 0xFB44}, {0xFB46, 0xFBB1},
	{0xFBD3, 0xFD3D}, {0xFD50, 0xFD8F}, {0xFD92, 0xFDC7}, {0xFDF0, 0xFDFB},
	{0xFE70, 0xFE74}, {0xFE76, 0xFEFC}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A},
	{0xFF66, 0xFFBE}, {0xFFC2, 0xFFC7}, {0xFFCA, 0xFFCF}, {0xFFD2, 0xFFD7},
	{0xFFDA, 0xFFDC}, {0x10000, 0x1000B}, {0x1000D, 0x10026},
	{0x10028, 0x1003A}, {0x1003C, 0x1003D}, {0x1003F, 0x1004D},
	{0x10050, 0x1005D}, {0x10080, 0x100FA}, {0x10280, 0x1029C},
	{0x102A0, 0x102D0}, {0x10300, 0x1031F}, {0x1032D, 0x10340},
	{0x10342, 0x10349}, {0x10350, 0x10375}, {0x10380, 0x1039D},
	{0x103A0, 0x103C3}, {0x103C8, 0x103CF}, {0x10400, 0x1049D},
	{0x104B0, 0x104D3}, {0x104D8, 0x104FB}, {0x10500, 0x10527},
	{0x10530, 0x10563}, {0x10570, 0x1057A}, {0x1057C, 0x1058A},
	{0x1058C, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105A1},
	{0x105A3, 0x105B1}, {0x105B3, 0x105B9}, {0x105BB, 0x105BC},
	{0x10600, 0x10736}, {0x10740, 0x10755}, {0x10760, 0x10767},
	{0x10780, 0x10785}, {0x10787, 0x107B0}, {0x107B2, 0x107BA},
	{0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080A, 0x10835},
	{0x10837, 0x10838}, {0x1083C, 0x1083C}, {0x1083F, 0x10855},
	{0x10860, 0x10876}, {0x10880, 0x1089E}, {0x108E0, 0x108F2},
	{0x108F4, 0x108F5}, {0x10900, 0x10915}, {0x10920, 0x10939},
	{0x10980, 0x109B7}, {0x109BE, 0x109BF}, {0x10A00, 0x10A00},
	{0x10A10, 0x10A13}, {0x10A15, 0x10A17}, {0x10A19, 0x10A35},
	{0x10A60, 0x10A7C}, {0x10A80, 0x10A9C}, {0x10AC0, 0x10AC7},
	{0x10AC9, 0x10AE4}, {0x10B00, 0x10B35}, {0x10B40, 0x10B55},
	{0x10B60, 0x10B72}, {0x10B80, 0x10B91}, {0x10C00, 0x10C48},
	{0x10C80, 0x10CB2}, {0x10CC0, 0x10CF2}, {0x10D00, 0x10D23},
	{0x10E80, 0x10EA9}, {0x10EB0, 0x10EB1}, {0x10F00, 0x10F1C},
	{0x10F27, 0x10F27}, {0x10F30, 0x10F45}, {0x10F70, 0x10F81},
	{0x10FB0, 0x10FC4}, {0x10FE0, 0x10FF6}, {0x11003, 0x11037},
	{0x11071, 0x11072}, {0x11075, 0x11075}, {0x11083, 0x110AF},
	{0x110D0, 0x110E8}, {0x11103, 0x11126}, {0x11144, 0x11144},
	{0x11147, 0x11147}, {0x11150, 0x11172}, {0x11176, 0x11176},
	{0x11183, 0x111B2}, {0x111C1, 0x111C4}, {0x111DA, 0x111DA},
	{0x111DC, 0x111DC}, {0x11200, 0x11211}, {0x11213, 0x1122B},
	{0x1123F, 0x11240}, {0x11280, 0x11286}, {0x11288, 0x11288},
	{0x1128A, 0x1128D}, {0x1128F, 0x1129D}, {0x1129F, 0x112A8},
	{0x112B0, 0x112DE}, {0x11305, 0x1130C}, {0x1130F, 0x11310},
	{0x11313, 0x11328}, {0x1132A, 0x11330}, {0x11332, 0x11333},
	{0x11335, 0x11339}, {0x1133D, 0x1133D}, {0x11350, 0x11350},
	{0x1135D, 0x11361}, {0x11400, 0x11434}, {0x11447, 0x1144A},
	{0x1145F, 0x11461}, {0x11480, 0x114AF}, {0x114C4, 0x114C5},
	{0x114C7, 0x114C7}, {0x11580, 0x115AE}, {0x115D8, 0x115DB},
	{0x11600, 0x1162F}, {0x11644, 0x11644}, {0x11680, 0x116AA},
	{0x116B8, 0x116B8}, {0x11700, 0x1171A}, {0x11740, 0x11746},
	{0x11800, 0x1182B}, {0x118A0, 0x118DF}, {0x118FF, 0x11906},
	{0x11909, 0x11909}, {0x1190C, 0x11913}, {0x11915, 0x11916},
	{0x11918, 0x1192F}, {0x1193F, 0x1193F}, {0x11941, 0x11941},
	{0x119A0, 0x119A7}, {0x119AA, 0x119D0}, {0x119E1, 0x119E1},
	{0x119E3, 0x119E3}, {0x11A00, 0x11A00}, {0x11A0B, 0x11A32},
	{0x11A3A, 0x11A3A}, {0x11A50, 0x11A50}, {0x11A5C, 0x11A89},
	{0x11A9D, 0x11A9D}, {0x11AB0, 0x11AF8}, {0x11C00, 0x11C08},
	{0x11C0A, 0x11C2E}, {0x11C40, 0x11C40}, {0x11C72, 0x11C8F},
	{0x11D00, 0x11D06}, {0x11D08, 0x11D09}, {0x11D0B, 0x11D30},
	{0x11D46, 0x11D46}, {0x11D60, 0x11D65}, {0x11D67, 0x11D68},
	{0x11D6A, 0x11D89}, {0x11D98, 0x11D98}, {0x11EE0, 0x11EF2},
	{0x11F02, 0x11F02}, {0x11F04, 0x11F10}, {0x11F12, 0x11F33},
	{0x11FB0, 0x11FB0}, {0x12000, 0x12399}, {0x12480, 0x12543},
	{0x12F90, 0x12FF0}, {0x13000, 0x1342E}, {0x14400, 0x14646},
	{0x16800, 0x16A38}, {0x16A40, 0x16A5E}, {0x16A70, 0x16ABE},
	{0x16AD0, 0x16AED}, {0x16B00, 0x16B2F}, {0x16B40, 0x16B43},
	{0x16B63, 0x16B77}, {0x16B7D, 0x16B8F}, {0x16E40, 0x16E7F},
	{0x16F00, 0x16F4A}, {0x16F50, 0x16F50}, {0x16F93, 0x16F9F},
	{0x16FE0, 0x16FE1}, {0x16FE3, 0x16FE3}, {0x17000, 0x187F7},
	{0x18800, 0x18CD5}, {0x18D00, 0x18D08}, {0x1AFF0, 0x1AFF3},
	{0x1AFF5, 0x1AFFB}, {0x1AFFD, 0x1AFFE}, {0x1B000, 0x1B122},
	{0x1B132, 0x1B132}, {0x1B150, 0x1B152}, {0x1B155, 0x1B155},
	{0x1B164, 0x1B167}, {0x1B170, 0x1B2FB}, {0x1BC00, 0x1BC6A},
	{0x1BC70, 0x1BC7C}, {0x1BC80, 0x1BC88}, {0x1BC90, 0x1BC99},
	{0x1D400, 0x1D454}, {0x1D456, 0x1D49C}, {0x1D49E, 0x1D49F},
	{0x1D4A2, 0x1D4A2}, {0x1D4A5, 0x1D4A6}, {0x1D4A9, 0x1D4AC},
	{0x1D4AE, 0x1D4B9}, {0x1D4BB, 0x1D4BB}, {0x1D4BD, 0x1D4C3},
	{0x1D4C5, 0x1D505}, {0x1D507, 0x1D50A}, {0x1D50D, 0x1D514},
	{0x1D516, 0x1D51C}, {0x1D51E, 0x1D539}, {0x1D53B, 0x1D53E},
	{0x1D540, 0x1D544}, {0x1D546, 0x1D546}, {0x1D54A, 0x1D550},
	{0x1D552, 0x1D6A5}, {0x1D6A8, 0x1D6C0}, {0x1D6C2, 0x1D6DA},
	{0x1D6DC, 0x1D6FA}, {0x1D6FC, 0x1D714}, {0x1D716, 0x1D734},
	{0x1D736, 0x1D74E}, {0x1D750, 0x1D76E}, {0x1D770, 0x1D788},
	{0x1D78A, 0x1D7A8}, {0x1D7AA, 0x1D7C2}, {0x1D7C4, 0x1D7CB},
	{0x1DF00, 0x1DF1E}, {0x1DF25, 0x1DF2A}, {0x1E030, 0x1E06D},
	{0x1E100, 0x1E12C}, {0x1E137, 0x1E13D}, {0x1E14E, 0x1E14E},
	{0x1E290, 0x1E2AD}, {0x1E2C0, 0x1E2EB}, {0x1E4D0, 0x1E4EB},
	{0x1E7E0, 0x1E7E6}, {0x1E7E8, 0x1E7EB}, {0x1E7ED, 0x1E7EE},
	{0x1E7F0, 0x1E7FE}, {0x1E800, 0x1E8C4}, {0x1E900, 0x1E943},
	{0x1E94B, 0x1E94B}, {0x1EE00, 0x1EE03}, {0x1EE05, 0x1EE1F},
	{0x1EE21, 0x1EE22}, {0x1EE24, 0x1EE24}, {0x1EE27, 0x1EE27},
	{0x1EE29, 0x1EE32}, {0x1EE34, 0x1EE37}, {0x1EE39, 0x1EE39},
	{0x1EE3B, 0x1EE3B}, {0x1EE42, 0x1EE42}, {0x1EE47, 0x1EE47},
	{0x1EE49, 0x1EE49}, {0x1EE4B, 0x1EE4B}, {0x1EE4D, 0x1EE4F},
	{0x1EE51, 0x1EE52}, {0x1EE54, 0x1EE54}, {0x1EE57, 0x1EE57},
	{0x1EE59, 0x1EE59}, {0x1EE5B, 0x1EE5B}, {0x1EE5D, 0x1EE5D},
	{0x1EE5F, 0x1EE5F}, {0x1EE61, 0x1EE62}, {0x1EE64, 0x1EE64},
	{0x1EE67, 0x1EE6A}, {0x1EE6C, 0x1EE72}, {0x1EE74, 0x1EE77},
	{0x1EE79, 0x1EE7C}, {0x1EE7E, 0x1EE7E}, {0x1EE80, 0x1EE89},
	{0x1EE8B, 0x1EE9B}, {0x1EEA1, 0x1EEA3}, {0x1EEA5, 0x1EEA9},
	{0x1EEAB, 0x1EEBB}, {0x20000, 0x2A6DF}, {0x2A700, 0x2B738},
	{0x2B740, 0x2B81D}, {0x2B820, 0x2CEA1}, {0x2CEB0, 0x2EBE0},
	{0x2F800, 0x2FA1D}, {0x30000, 0x3134A}, {0x31350, 0x323AF},
};

static const uint32_t uni_digits[][2] = {
	{0x660, 0x669}, {0x6F0, 0x6F9}, {0x7C0, 0x7C9}, {0x966, 0x96F},
	{0x9E6, 0x9EF}, {0xA66, 0xA6F}, {0xAE6, 0xAEF}, {0xB66, 0xB6F},
	{0xBE6, 0xBEF}, {0xC66, 0xC6F}, {0xCE6, 0xCEF}, {0xD66, 0xD6F},
	{0xDE6, 0xDEF}, {0xE50, 0xE59}, {0xED0, 0xED9}, {0xF20, 0xF29},
	{0x1040, 0x1049}, {0x1090, 0x1099}, {0x17E0, 0x17E9}, {0x1810, 0x1819},
	{0x1946, 0x194F}, {0x19D0, 0x19D9}, {0x1A80, 0x1A89}, {0x1A90, 0x1A99},
	{0x1B50, 0x1B59}, {0x1BB0, 0x1BB9}, {0x1C40, 0x1C49}, {0x1C50, 0x1C59},
	{0xA620, 0xA629}, {0xA8D0, 0xA8D9}, {0xA900, 0xA909}, {0xA9D0, 0xA9D9},
	{0xA9F0, 0xA9F9}, {0xAA50, 0xAA59}, {0xABF0, 0xABF9}, {0xFF10, 0xFF19},
	{0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
	{0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9},
	{0x112F0, 0x112F9}, {0x11450, 0x11459}, {0x114D0, 0x114D9},
	{0x11650, 0x11659}, {0x116C0, 0x116C9}, {0x11730, 0x11739},
	{0x118E0, 0x118E9}, {0x11950, 0x11959}, {0x11C50, 0x11C59},
	{0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x11F50, 0x11F59},
	{0x16A60, 0x16A69}, {0x16AC0, 0x16AC9}, {0x16B50, 0x16B59},
	{0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149}, {0x1E2F0, 0x1E2F9},
	{0x1E4F0, 0x1E4F9}, {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
};

static bool in_ranges(const uint32_t (*tab)[2], size_t n, uint32_t r)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r < tab[mid][0])
			hi = mid;
		else if (r > tab[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

static inline bool uni_is_letter(uint32_t r)
{
	if (r < 0x80)
		return (r | 0x20) >= 'a' && (r | 0x20) <= 'z';
	return in_ranges(uni_letters, sizeof(uni_letters) / sizeof(uni_letters[0]), r);
}

static inline bool uni_is_digit(uint32_t r)
{
	if (r < 0x80)
		return r >= '0' && r <= '9';
	return in_ranges(uni_digits, sizeof(uni_digits) / sizeof(uni_digits[0]), r);
}

/* Go's utf8.DecodeRune: the rune at s (n > 0 bytes available) and its
 * size; an invalid or truncated sequence is U+FFFD of size 1. */
static uint32_t decode_rune(const unsigned char *s, size_t n, size_t *size)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*size = 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80) {
			*size = 2;
			return ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
		}
	} else if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		if (n >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80) {
			*size = 3;
			return ((uint32_t)(c & 0x0F) << 12) |
			       ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		}
	} else if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		if (n >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 &&
		    (s[3] & 0xC0) == 0x80) {
			*size = 4;
			return ((uint32_t)(c & 0x07) << 18) |
			       ((uint32_t)(s[1] & 0x3F) << 12) |
			       ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		}
	}
	*size = 1;
	return 0xFFFD;
}

/* ------------------------------------------------------------------------
 * Key order: go-yaml v2 sorter.go keyList.Less for two string keys.  After
 * the JSON round trip every key is a string, so only the string branch
 * matters: compare rune by rune; at the first difference a letter sorts
 * after a non-letter, two letters compare by code point, and otherwise the
 * runs of digits starting there compare numerically (int64 arithmetic that
 * wraps like Go's), then by run length, then by code point.  When either
 * differing rune is '0' and the digit run just before it holds a non-zero
 * digit, both numbers start from 1 (Go's "leading zero" special case).
 * Runes are decoded on the fly (invalid bytes are U+FFFD, as Go's []rune
 * conversion gives).
 * ------------------------------------------------------------------------ */
static inline uint32_t next_rune(const unsigned char *s, size_t n, size_t *i)
{
	if (s[*i] < 0x80)
		return s[(*i)++];
	size_t w;
	uint32_t r = decode_rune(s + *i, n - *i, &w);
	*i += w;
	return r;
}

int kr_emit_key_less(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *as = (const unsigned char *)a;
	const unsigned char *bs = (const unsigned char *)b;
	size_t ai = 0, bi = 0;
	bool nonzero_run = false; /* a non-'0' digit in the run just before */
	while (ai < alen && bi < blen) {
		size_t an0 = ai, bn0 = bi;
		uint32_t ra = next_rune(as, alen, &ai);
		uint32_t rb = next_rune(bs, blen, &bi);
		if (ra == rb) {
			if (uni_is_digit(ra)) {
				if (ra != '0')
					nonzero_run = true;
			} else {
				nonzero_run = false;
			}
			continue;
		}
		bool al = uni_is_letter(ra), bl = uni_is_letter(rb);
		if (al && bl)
			return ra < rb;
		if (al || bl)
			return bl;
		uint64_t an = 0, bn = 0;
		if ((ra == '0' || rb == '0') && nonzero_run)
			an = bn = 1;
		size_t acount = 0, bcount = 0;
		for (size_t i = an0; i < alen;) {
			uint32_t r = next_rune(as, alen, &i);
			if (!uni_is_digit(r))
				break;
			an = an * 10 + (uint64_t)(int64_t)((int32_t)r - '0');
			acount++;
		}
		for (size_t i = bn0; i < blen;) {
			uint32_t r = next_rune(bs, blen, &i);
			if (!uni_is_digit(r))
				break;
			bn = bn * 10 + (uint64_t)(int64_t)((int32_t)r - '0');
			bcount++;
		}
		if (an != bn)
			return (int64_t)an < (int64_t)bn;
		if (acount != bcount)
			return acount < bcount;
		return ra < rb;
	}
	/* One is a prefix of the other: the shorter (in runes) first. */
	return ai >= alen && bi < blen;
}

/* ------------------------------------------------------------------------
 * Go number syntax helpers.
 * ------------------------------------------------------------------------ */








/* ------------------------------------------------------------------------
 * Timestamps.  go-yaml v3 resolves a plain scalar such as 2001-12-14 to a
 * time.Time (resolve.go parseTimestamp: time.Parse with the layouts
 * "2006-1-2T15:4:5.999999999Z07:00", the same with 't', "2006-1-2
 * 15:4:5.999999999" and "2006-1-2"); json.Marshal prints it in RFC 3339
 * with nanoseconds (time.Time.MarshalJSON), and go-yaml v2 sees a string
 * that again looks like a timestamp, so it is double-quoted.  go-yaml v2's
 * resolver uses the same parseTimestamp to decide quoting.
 * ------------------------------------------------------------------------ */
typedef struct tstamp {
	int year, mon, day, hour, min, sec;
	long nsec;
	int off;        /* zone offset in minutes */
} tstamp;

static bool is_dig(const char *s, size_t n, size_t i)
{
	return i < n && s[i] >= '0' && s[i] <= '9';
}

/* time.getnum(s, false): one or two digits. */
static bool ts_getnum(const char *s, size_t n, size_t *i, int *v)
{
	if (!is_dig(s, n, *i))
		return false;
	*v = s[*i] - '0';
	(*i)++;
	if (is_dig(s, n, *i)) {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
	}
	return true;
}

static int days_in(int mon, int year)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mon == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return d[mon - 1];
}

/* parseTimestamp (go-yaml v2/v3 resolve.go) with time.Parse's rules. */
static bool parse_timestamp(const char *s, size_t n, tstamp *t)
{
	size_t i = 0;
	/* Quick check: all date formats start with YYYY-. */
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	if (i != 4 || i == n || s[i] != '-')
		return false;
	memset(t, 0, sizeof(*t));
	t->year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	          (s[3] - '0');
	i = 5;
	if (!ts_getnum(s, n, &i, &t->mon) || t->mon < 1 || t->mon > 12)
		return false;
	if (i >= n || s[i] != '-')
		return false;
	i++;
	if (!ts_getnum(s, n, &i, &t->day))
		return false;
	if (i < n) {
		bool zone;
		if (s[i] == 'T' || s[i] == 't') {
			zone = true;
			i++;
		} else if (s[i] == ' ') {
			/* A space in a layout matches a run of spaces. */
			zone = false;
			while (i < n && s[i] == ' ')
				i++;
		} else {
			return false;
		}
		if (!ts_getnum(s, n, &i, &t->hour) || t->hour >= 24)
			return false;
		if (i >= n || s[i] != ':')
			return false;
		i++;
		if (!ts_getnum(s, n, &i, &t->min) || t->min >= 60)
			return false;
		if (i >= n || s[i] != ':')
			return false;
		i++;
		if (!ts_getnum(s, n, &i, &t->sec) || t->sec >= 60)
			return false;
		/* stdFracSecond9: '.' or ',' and any number of digits, of which
		 * the first nine count (parseNanoseconds). */
		if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_dig(s, n, i + 1)) {
			i++;
			int k = 0;
			for (; is_dig(s, n, i); i++, k++)
				if (k < 9)
					t->nsec = t->nsec * 10 + (s[i] - '0');
			for (; k < 9; k++)
				t->nsec *= 10;
		}
		if (zone) {
			/* stdISO8601ColonTZ: Z or +hh:mm / -hh:mm */
			if (i < n && s[i] == 'Z') {
				i++;
			} else {
				if (n - i < 6 || s[i + 3] != ':')
					return false;
				if (!is_dig(s, n, i + 1) || !is_dig(s, n, i + 2) ||
				    !is_dig(s, n, i + 4) || !is_dig(s, n, i + 5))
					return false;
				int hr = (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
				int mm = (s[i + 4] - '0') * 10 + (s[i + 5] - '0');
				/* Go tests > rather than >=: 24:00 and xx:60 pass. */
				if (hr > 24 || mm > 60)
					return false;
				if (s[i] == '+')
					t->off = hr * 60 + mm;
				else if (s[i] == '-')
					t->off = -(hr * 60 + mm);
				else
					return false;
				i += 6;
			}
		}
		if (i != n)
			return false;
	}
	return t->day >= 1 && t->day <= days_in(t->mon, t->year);
}

/* time.Time.MarshalJSON (RFC 3339 with trimmed nanoseconds) into buf
 * (>= 48 bytes); the length, or -1 when Go refuses the zone offset. */
static int format_timestamp(const tstamp *t, char *buf)
{
	int n = snprintf(buf, 48, "%04d-%02d-%02dT%02d:%02d:%02d", t->year,
	                 t->mon, t->day, t->hour, t->min, t->sec);
	if (t->nsec) {
		char frac[16];
		snprintf(frac, sizeof frac, "%09ld", t->nsec);
		int k = 9;
		while (k > 0 && frac[k - 1] == '0')
			k--;
		frac[k] = '\0';
		n += snprintf(buf + n, (size_t)(48 - n), ".%s", frac);
	}
	if (t->off == 0) {
		buf[n++] = 'Z';
		buf[n] = '\0';
	} else {
		int z = t->off < 0 ? -t->off : t->off;
		if (z / 60 >= 24)
			return -1; /* appendStrictRFC3339 */
		n += snprintf(buf + n, (size_t)(48 - n), "%c%02d:%02d",
		              t->off < 0 ? '-' : '+', z / 60, z % 60);
	}
	return n;
}

/* ------------------------------------------------------------------------
 * go-yaml v2 resolve.go resolve("", s): does a plain s read back as a
 * string?  With isBase60Float this is encode.go stringv's canUsePlain.
 * ------------------------------------------------------------------------ */
static bool lit_eq(const char *s, size_t n, const char *lit)
{
	size_t k = strlen(lit);
	return k == n && memcmp(s, lit, n) == 0;
}

static bool v2_in_resolve_map(const char *s, size_t n)
{
	static const char *const words[6][12] = {
		{ "" },
		{ "y", "Y", "n", "N", "~" },
		{ "on", "On", "ON", "no", "No", "NO", "<<" },
		{ "yes", "Yes", "YES", "off", "Off", "OFF" },
		{ "true", "True", "TRUE", "null", "Null", "NULL", ".nan", ".NaN", ".NAN",
		  ".inf", ".Inf", ".INF" },
		{ "false", "False", "FALSE", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
		  "-.INF" },
	};
	if (n > 5)
		return false;
	for (size_t i = 0; i < 12 && words[n][i]; i++)
		if (memcmp(s, words[n][i], n) == 0)
			return true;
	return false;
}

/* Longest text the numeric checks below copy to the stack; longer
 * digit-like strings are examined through a heap copy. */
#define NUMBUF 128

static bool v2_number_like(const char *clean, size_t k)
{
	int64_t iv;
	uint64_t uv;
	double fv;
	if (kr_go_parse_int(clean, k, 0, &iv) == 0 || kr_go_parse_uint(clean, k, 0, &uv) == 0)
		return true;
	if (kr_yaml_style_float(clean, k) && kr_go_parse_float(clean, &fv) == 0)
		return true;
	if (k >= 2 && clean[0] == '0' && clean[1] == 'b') {
		if (kr_go_parse_int(clean + 2, k - 2, 2, &iv) == 0 ||
		    kr_go_parse_uint(clean + 2, k - 2, 2, &uv) == 0)
			return true;
	} else if (k >= 3 && clean[0] == '-' && clean[1] == '0' && clean[2] == 'b') {
		/* ParseInt("-" + plain[3:], 2) */
		if (k > 3 && (clean[3] == '+' || clean[3] == '-'))
			return false;
		if (kr_go_parse_uint(clean + 3, k - 3, 2, &uv) == 0 && uv <= (uint64_t)1 << 63)
			return true;
	}
	return false;
}

static bool v2_resolves_to_str(const char *s, size_t n)
{
	char c = n ? s[0] : 'N';
	bool hint_num = (c >= '0' && c <= '9') || c == '+' || c == '-';
	bool hint_map = false;
	switch (c) {
	case 'y': case 'Y': case 'n': case 'N': case 't': case 'T':
	case 'f': case 'F': case 'o': case 'O': case '~':
		hint_map = true;
		break;
	}
	if (!hint_num && !hint_map && c != '.' && n)
		return true;
	if (v2_in_resolve_map(s, n))
		return false;
	if (c == '.') {
		double fv;
		char buf[NUMBUF];
		if (!kr_go_float_syntax_dot(s, n))
			return true;
		if (n < NUMBUF) {
			kr_strip_underscores(buf, s, n);
			return kr_go_parse_float(buf, &fv) != 0;
		}
		char *heap = malloc(n + 1);
		if (!heap)
			return true;
		kr_strip_underscores(heap, s, n);
		bool r = kr_go_parse_float(heap, &fv) != 0;
		free(heap);
		return r;
	}
	if (!hint_num)
		return true;
	tstamp t;
	if (parse_timestamp(s, n, &t))
		return false;
	/* Numbers contain only sign, digits, letters, '.', '_'. */
	for (size_t i = 0; i < n; i++) {
		char d = s[i];
		if (!((d >= '0' && d <= '9') || ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') ||
		      d == '.' || d == '_' || d == '+' || d == '-'))
			return true;
	}
	if (n < NUMBUF) {
		char buf[NUMBUF];
		size_t k = kr_strip_underscores(buf, s, n);
		return !v2_number_like(buf, k);
	}
	char *heap = malloc(n + 1);
	if (!heap)
		return true;
	size_t k = kr_strip_underscores(heap, s, n);
	bool r = !v2_number_like(heap, k);
	free(heap);
	return r;
}

/* encode.go isBase60Float:
 * ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static bool is_base60_float(const char *s, size_t n)
{
	size_t i = 0;
	if (n == 0)
		return false;
	if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-'))
		return false;
	if (!memchr(s, ':', n))
		return false;
	if (s[i] == '+' || s[i] == '-')
		i++;
	if (!is_dig(s, n, i))
		return false;
	i++;
	while (i < n && (is_dig(s, n, i) || s[i] == '_'))
		i++;
	int groups = 0;
	while (i < n && s[i] == ':') {
		i++;
		/* [0-5]?[0-9]: one digit, or [0-5] then a digit */
		if (!is_dig(s, n, i))
			return false;
		if (s[i] <= '5' && is_dig(s, n, i + 1))
			i += 2;
		else
			i += 1;
		groups++;
	}
	if (!groups)
		return false;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && (is_dig(s, n, i) || s[i] == '_'))
			i++;
	}
	return i == n;
}

/* ------------------------------------------------------------------------
 * What a string goes through between go-yaml v3 and go-yaml v2's encoder:
 *  - encoding/json replaces each byte of invalid UTF-8 by U+FFFD;
 *  - JSON escapes control characters, '"', '\\', U+2028 and U+2029, but
 *    writes DEL, the C1 controls and U+FFFE/U+FFFF raw, and go-yaml v2's
 *    reader rejects those ("control characters are not allowed") except
 *    U+0085 (NEL);
 *  - a raw NEL inside the JSON double-quoted scalar is a line break to
 *    go-yaml v2's scanner (yaml_parser_scan_flow_scalar): a run of spaces
 *    and NELs that holds a NEL folds to one space, or to n-1 newlines for
 *    n NELs, dropping the spaces; "---" or "..." right after a NEL and
 *    before a blank is a document indicator, a parse error.
 * prepare_string() returns the string v2 ends up with: s itself, or a
 * malloc'd copy in *owned (the caller frees it).
 * ------------------------------------------------------------------------ */
static int prepare_string(const char *s, size_t n, const char **ps, size_t *pn,
                          char **owned, const char **err)
{
	const unsigned char *u = (const unsigned char *)s;
	bool invalid = false, nel = false;
	*owned = NULL;
	for (size_t i = 0; i < n;) {
		if (u[i] < 0x80) {
			if (u[i] == 0x7F) {
				*err = ERR_CONTROL;
				return -1;
			}
			i++;
			continue;
		}
		size_t w;
		uint32_t r = decode_rune(u + i, n - i, &w);
		if (r == 0xFFFD && w == 1)
			invalid = true;
		else if (r == 0x85)
			nel = true;
		else if ((r >= 0x80 && r <= 0x9F) || r == 0xFFFE || r == 0xFFFF) {
			*err = ERR_CONTROL;
			return -1;
		}
		i += w;
	}
	if (!invalid && !nel) {
		*ps = s;
		*pn = n;
		return 0;
	}
	char *buf = malloc(3 * n + 1);
	if (!buf) {
		*err = ERR_NOMEM;
		return -1;
	}
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		size_t w;
		uint32_t r = decode_rune(u + i, n - i, &w);
		if (r == 0xFFFD && w == 1) {
			memcpy(buf + k, "\xEF\xBF\xBD", 3);
			k += 3;
		} else {
			memcpy(buf + k, s + i, w);
			k += w;
		}
		i += w;
	}
	buf[k] = '\0';
	if (nel) {
		/* Fold in place: the output never outgrows the input. */
		const char *in = buf;
		size_t m = k, j = 0, i = 0;
		char *outp = buf;
		while (i < m) {
			while (i < m && in[i] != ' ' &&
			       !((unsigned char)in[i] == 0xC2 && i + 1 < m &&
			         (unsigned char)in[i + 1] == 0x85))
				outp[j++] = in[i++];
			if (i >= m)
				break;
			size_t nspaces = 0, breaks = 0;
			bool after_break = false;
			while (i < m) {
				if (in[i] == ' ') {
					if (!breaks)
						nspaces++;
					after_break = false;
					i++;
				} else if ((unsigned char)in[i] == 0xC2 && i + 1 < m &&
				           (unsigned char)in[i + 1] == 0x85) {
					breaks++;
					after_break = true;
					i += 2;
				} else {
					break;
				}
			}
			if (after_break && m - i >= 3 &&
			    (memcmp(in + i, "---", 3) == 0 || memcmp(in + i, "...", 3) == 0)) {
				size_t q = i + 3;
				if (q < m && (in[q] == ' ' ||
				              ((unsigned char)in[q] == 0xC2 && q + 1 < m &&
				               (unsigned char)in[q + 1] == 0x85))) {
					free(buf);
					*err = ERR_DOCIND;
					return -1;
				}
			}
			if (breaks == 0) {
				memset(outp + j, ' ', nspaces);
				j += nspaces;
			} else if (breaks == 1) {
				outp[j++] = ' ';
			} else {
				memset(outp + j, '\n', breaks - 1);
				j += breaks - 1;
			}
		}
		buf[j] = '\0';
		k = j;
	}
	*owned = buf;
	*ps = buf;
	*pn = k;
	return 0;
}

/* A mapping key is a JSON object key that go-yaml v2's scanner must take
 * as a simple key: on one line (a raw U+0085 breaks the line) and at most
 * 1024 characters from its opening quote to the ':' (scannerc.go
 * yaml_simple_key_is_valid), counted in the JSON text, i.e. after
 * encoding/json's escaping (\" \\ \n \r \t \b \f: 2 characters;
 * other control characters, < > &, U+2028, U+2029 and invalid bytes:
 * 6).  Otherwise the parser fails. */
static int check_json_key(const char *s, size_t n, const char **err)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t chars = 2; /* the quotes */
	for (size_t i = 0; i < n;) {
		size_t w;
		uint32_t r;
		if (u[i] >= 0x20 && u[i] < 0x7F && u[i] != '"' && u[i] != '\\' &&
		    u[i] != '<' && u[i] != '>' && u[i] != '&') {
			chars++;
			i++;
			continue;
		}
		r = decode_rune(u + i, n - i, &w);
		if (r == 0x85) {
			*err = ERR_KEY_NEL;
			return -1;
		}
		if (r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t' ||
		    r == '\b' || r == '\f')
			chars += 2;
		else if (r < 0x20 || r == '<' || r == '>' || r == '&' || r == 0x2028 ||
		         r == 0x2029 || (r == 0xFFFD && w == 1))
			chars += 6;
		else
			chars += 1;
		i += w;
	}
	if (chars > 1024) {
		*err = ERR_KEY_LONG;
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------
 * The emitter: a port of the parts of go-yaml v2 emitterc.go that block
 * output with implicit tags uses.  State mirrors yaml_emitter_t.
 * ------------------------------------------------------------------------ */
enum { ST_PLAIN, ST_SINGLE, ST_DOUBLE, ST_LITERAL };

typedef struct em {
	kr_buf *out;
	long column;          /* characters (runes) since the line start */
	int indent;           /* -1 before the root node */
	bool whitespace;      /* the last character written was white space */
	bool indention;       /* only indentation written on this line */
	bool mapping_ctx;     /* emitting a mapping key or value */
	bool simple_key_ctx;  /* emitting a simple mapping key */
	const char *err;
} em;

/* yaml_emitter_analyze_scalar's verdict. */
typedef struct analysis {
	bool multiline;
	bool block_plain_allowed;
	bool single_quoted_allowed;
	bool block_allowed;
} analysis;

/* Byte at i, or 0 past the end (the Go code indexes a slice whose
 * out-of-range bytes are never consulted for valid UTF-8). */
static inline unsigned at(const unsigned char *v, size_t n, size_t i)
{
	return i < n ? v[i] : 0;
}

static inline size_t width(unsigned char b)
{
	if ((b & 0x80) == 0x00) return 1;
	if ((b & 0xE0) == 0xC0) return 2;
	if ((b & 0xF0) == 0xE0) return 3;
	if ((b & 0xF8) == 0xF0) return 4;
	return 1; /* not reached for valid UTF-8 */
}

static inline bool is_space(const unsigned char *v, size_t n, size_t i)
{
	return at(v, n, i) == ' ';
}

static inline bool is_blank(const unsigned char *v, size_t n, size_t i)
{
	unsigned c = at(v, n, i);
	return c == ' ' || c == '\t';
}

static inline bool is_break(const unsigned char *v, size_t n, size_t i)
{
	unsigned c = at(v, n, i);
	return c == '\r' || c == '\n' ||
	       (c == 0xC2 && at(v, n, i + 1) == 0x85) ||
	       (c == 0xE2 && at(v, n, i + 1) == 0x80 &&
	        (at(v, n, i + 2) == 0xA8 || at(v, n, i + 2) == 0xA9));
}

/* is_blankz: blank, break, or NUL (the byte past the end reads as NUL). */
static inline bool is_blankz(const unsigned char *v, size_t n, size_t i)
{
	return is_blank(v, n, i) || is_break(v, n, i) || at(v, n, i) == 0;
}

/* yamlprivateh.go is_printable: a test on the leading bytes of the UTF-8
 * sequence at i.  Notably every 4-byte sequence (emoji...) counts as not
 * printable, so such strings are double-quoted with \U escapes. */
static inline bool is_printable(const unsigned char *v, size_t n, size_t i)
{
	unsigned c = at(v, n, i), c1 = at(v, n, i + 1), c2 = at(v, n, i + 2);
	return c == 0x0A || (c >= 0x20 && c <= 0x7E) ||
	       (c == 0xC2 && c1 >= 0xA0) || (c > 0xC2 && c < 0xED) ||
	       (c == 0xED && c1 < 0xA0) || c == 0xEE ||
	       (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) &&
	        !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)));
}

/* Output.  Appends go straight into the kr_buf; kr_buf_grow() is only
 * called when the capacity runs out (it sets the sticky `failed` flag). */
static inline void out_bytes(kr_buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap && kr_buf_grow(b, n) < 0)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void out_char(kr_buf *b, char c)
{
	if (b->len + 2 > b->cap && kr_buf_grow(b, 1) < 0)
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

static inline void out_spaces(kr_buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap && kr_buf_grow(b, n) < 0)
		return;
	memset(b->data + b->len, ' ', n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void em_put(em *e, char c)
{
	out_char(e->out, c);
	e->column++;
}

static inline void em_put_break(em *e)
{
	out_char(e->out, '\n');
	e->column = 0;
}

/* write(): copy one character. */
static void em_write(em *e, const unsigned char *v, size_t n, size_t *i)
{
	size_t w = width(v[*i]);
	if (*i + w > n)
		w = n - *i;
	out_bytes(e->out, (const char *)v + *i, w);
	e->column++;
	*i += w;
}

/* write_break(): a line break character from the value. */
static void em_write_break(em *e, const unsigned char *v, size_t n, size_t *i)
{
	if (v[*i] == '\n') {
		em_put_break(e);
		(*i)++;
	} else {
		em_write(e, v, n, i);
		e->column = 0;
	}
}

/* yaml_emitter_write_indent */
static void em_write_indent(em *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;
	if (!e->indention || e->column > indent ||
	    (e->column == indent && !e->whitespace))
		em_put_break(e);
	if (e->column < indent) {
		out_spaces(e->out, (size_t)(indent - e->column));
		e->column = indent;
	}
	e->whitespace = true;
	e->indention = true;
}

/* yaml_emitter_write_indicator (every indicator used here is one
 * character long) */
static inline void em_write_indicator(em *e, char ind, bool need_whitespace,
                                      bool is_whitespace, bool is_indention)
{
	if (need_whitespace && !e->whitespace)
		em_put(e, ' ');
	em_put(e, ind);
	e->whitespace = is_whitespace;
	e->indention = e->indention && is_indention;
}

/* yaml_emitter_increase_indent */
static void em_increase_indent(em *e, bool flow, bool indentless)
{
	if (e->indent < 0)
		e->indent = flow ? BEST_INDENT : 0;
	else if (!indentless)
		e->indent += BEST_INDENT;
}

/* yaml_emitter_analyze_scalar (unicode output on, so only is_printable
 * decides "special characters"). */
static void analyze_scalar(const unsigned char *v, size_t n, analysis *a)
{
	bool block_indicators = false, flow_indicators = false;
	bool line_breaks = false, special_characters = false;
	bool leading_space = false, leading_break = false;
	bool trailing_space = false, trailing_break = false;
	bool break_space = false, space_break = false;
	bool preceded_by_whitespace, followed_by_whitespace;
	bool previous_space = false, previous_break = false;

	if (n == 0) {
		a->multiline = false;
		a->block_plain_allowed = true;
		a->single_quoted_allowed = true;
		a->block_allowed = false;
		return;
	}
	/* Fast path: printable ASCII without ':' or '#', starting with a letter,
	 * digit, '_' or '/' and not ending in a space has nothing the block
	 * context objects to (flow indicators only matter in flow context). */
	if (((v[0] | 0x20) >= 'a' && (v[0] | 0x20) <= 'z') ||
	    (v[0] >= '0' && v[0] <= '9') || v[0] == '_' || v[0] == '/') {
		size_t i = 1;
		while (i < n && v[i] >= 0x20 && v[i] <= 0x7E && v[i] != ':' && v[i] != '#')
			i++;
		if (i == n && v[n - 1] != ' ') {
			a->multiline = false;
			a->block_plain_allowed = true;
			a->single_quoted_allowed = true;
			a->block_allowed = true;
			return;
		}
	}
	if (n >= 3 && ((v[0] == '-' && v[1] == '-' && v[2] == '-') ||
	               (v[0] == '.' && v[1] == '.' && v[2] == '.'))) {
		block_indicators = true;
		flow_indicators = true;
	}
	preceded_by_whitespace = true;
	for (size_t i = 0, w; i < n; i += w) {
		w = width(v[i]);
		followed_by_whitespace = i + w >= n || is_blank(v, n, i + w);
		if (i == 0) {
			switch (v[i]) {
			case '#': case ',': case '[': case ']': case '{': case '}':
			case '&': case '*': case '!': case '|': case '>': case '\'':
			case '"': case '%': case '@': case '`':
				flow_indicators = true;
				block_indicators = true;
				break;
			case '?': case ':':
				flow_indicators = true;
				if (followed_by_whitespace)
					block_indicators = true;
				break;
			case '-':
				if (followed_by_whitespace) {
					flow_indicators = true;
					block_indicators = true;
				}
				break;
			}
		} else {
			switch (v[i]) {
			case ',': case '?': case '[': case ']': case '{': case '}':
				flow_indicators = true;
				break;
			case ':':
				flow_indicators = true;
				if (followed_by_whitespace)
					block_indicators = true;
				break;
			case '#':
				if (preceded_by_whitespace) {
					flow_indicators = true;
					block_indicators = true;
				}
				break;
			}
		}
		if (!is_printable(v, n, i))
			special_characters = true;
		if (is_space(v, n, i)) {
			if (i == 0)
				leading_space = true;
			if (i + w == n)
				trailing_space = true;
			if (previous_break)
				break_space = true;
			previous_space = true;
			previous_break = false;
		} else if (is_break(v, n, i)) {
			line_breaks = true;
			if (i == 0)
				leading_break = true;
			if (i + w == n)
				trailing_break = true;
			if (previous_space)
				space_break = true;
			previous_space = false;
			previous_break = true;
		} else {
			previous_space = false;
			previous_break = false;
		}
		preceded_by_whitespace = is_blankz(v, n, i);
	}
	(void)flow_indicators; /* flow context never holds a scalar here */
	a->multiline = line_breaks;
	a->block_plain_allowed = true;
	a->single_quoted_allowed = true;
	a->block_allowed = true;
	if (leading_space || leading_break || trailing_space || trailing_break)
		a->block_plain_allowed = false;
	if (trailing_space)
		a->block_allowed = false;
	if (break_space) {
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
	}
	if (space_break || special_characters) {
		a->block_plain_allowed = false;
		a->single_quoted_allowed = false;
		a->block_allowed = false;
	}
	if (line_breaks)
		a->block_plain_allowed = false;
	if (block_indicators)
		a->block_plain_allowed = false;
}

/* yaml_emitter_select_scalar_style for block context, implicit tags. */
static int select_style(const em *e, int style, size_t n, const analysis *a)
{
	if (e->simple_key_ctx && a->multiline)
		style = ST_DOUBLE;
	if (style == ST_PLAIN) {
		if (!a->block_plain_allowed)
			style = ST_SINGLE;
		if (n == 0 && e->simple_key_ctx)
			style = ST_SINGLE;
	}
	if (style == ST_SINGLE && !a->single_quoted_allowed)
		style = ST_DOUBLE;
	if (style == ST_LITERAL && (!a->block_allowed || e->simple_key_ctx))
		style = ST_DOUBLE;
	return style;
}

/* yaml_emitter_write_plain_scalar */
static void write_plain(em *e, const unsigned char *v, size_t n, bool allow_breaks)
{
	if (!e->whitespace)
		em_put(e, ' ');
	/* Fast path: no folding can happen when the whole value ends before
	 * the width is passed (the column only grows, and a plain scalar never
	 * holds a line break). */
	long runes = 0;
	for (size_t i = 0; i < n; i++)
		runes += (v[i] & 0xC0) != 0x80;
	if (!allow_breaks || e->column + runes <= BEST_WIDTH + 1) {
		out_bytes(e->out, (const char *)v, n);
		e->column += runes;
		e->whitespace = false;
		e->indention = false;
		return;
	}
	bool spaces = false, breaks = false;
	for (size_t i = 0; i < n;) {
		if (is_space(v, n, i)) {
			if (allow_breaks && !spaces && e->column > BEST_WIDTH &&
			    !is_space(v, n, i + 1)) {
				em_write_indent(e);
				i += width(v[i]);
			} else {
				em_write(e, v, n, &i);
			}
			spaces = true;
		} else if (is_break(v, n, i)) {
			if (!breaks && v[i] == '\n')
				em_put_break(e);
			em_write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			if (breaks)
				em_write_indent(e);
			em_write(e, v, n, &i);
			e->indention = false;
			spaces = false;
			breaks = false;
		}
	}
	e->whitespace = false;
	e->indention = false;
}

/* yaml_emitter_write_single_quoted_scalar */
static void write_single(em *e, const unsigned char *v, size_t n, bool allow_breaks)
{
	em_write_indicator(e, '\'', true, false, false);
	bool spaces = false, breaks = false;
	for (size_t i = 0; i < n;) {
		if (is_space(v, n, i)) {
			if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 &&
			    i < n - 1 && !is_space(v, n, i + 1)) {
				em_write_indent(e);
				i += width(v[i]);
			} else {
				em_write(e, v, n, &i);
			}
			spaces = true;
		} else if (is_break(v, n, i)) {
			if (!breaks && v[i] == '\n')
				em_put_break(e);
			em_write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			if (breaks)
				em_write_indent(e);
			if (v[i] == '\'')
				em_put(e, '\'');
			em_write(e, v, n, &i);
			/* em_put counted the doubled quote as a column: so does Go */
			e->indention = false;
			spaces = false;
			breaks = false;
		}
	}
	em_write_indicator(e, '\'', false, false, false);
	e->whitespace = false;
	e->indention = false;
}

/* yaml_emitter_write_double_quoted_scalar */
static void write_double(em *e, const unsigned char *v, size_t n, bool allow_breaks)
{
	static const char hex[] = "0123456789ABCDEF";
	/* is_bom() in the Go code tests the start of the value, not position
	 * i: a value starting with U+FEFF has every character escaped. */
	bool bom = n >= 3 && v[0] == 0xEF && v[1] == 0xBB && v[2] == 0xBF;
	bool spaces = false;
	em_write_indicator(e, '"', true, false, false);
	for (size_t i = 0; i < n;) {
		if (!is_printable(v, n, i) || bom || is_break(v, n, i) ||
		    v[i] == '"' || v[i] == '\\') {
			size_t w;
			uint32_t r;
			unsigned char o = v[i];
			if ((o & 0x80) == 0x00) {
				w = 1; r = o & 0x7F;
			} else if ((o & 0xE0) == 0xC0) {
				w = 2; r = o & 0x1F;
			} else if ((o & 0xF0) == 0xE0) {
				w = 3; r = o & 0x0F;
			} else {
				w = 4; r = o & 0x07;
			}
			for (size_t k = 1; k < w; k++)
				r = (r << 6) | (at(v, n, i + k) & 0x3F);
			i += w;
			em_put(e, '\\');
			char c = 0;
			switch (r) {
			case 0x00: c = '0'; break;
			case 0x07: c = 'a'; break;
			case 0x08: c = 'b'; break;
			case 0x09: c = 't'; break;
			case 0x0A: c = 'n'; break;
			case 0x0B: c = 'v'; break;
			case 0x0C: c = 'f'; break;
			case 0x0D: c = 'r'; break;
			case 0x1B: c = 'e'; break;
			case 0x22: c = '"'; break;
			case 0x5C: c = '\\'; break;
			case 0x85: c = 'N'; break;
			case 0xA0: c = '_'; break;
			case 0x2028: c = 'L'; break;
			case 0x2029: c = 'P'; break;
			}
			if (c) {
				em_put(e, c);
			} else {
				int digits;
				if (r <= 0xFF) {
					em_put(e, 'x');
					digits = 2;
				} else if (r <= 0xFFFF) {
					em_put(e, 'u');
					digits = 4;
				} else {
					em_put(e, 'U');
					digits = 8;
				}
				for (int k = (digits - 1) * 4; k >= 0; k -= 4)
					em_put(e, hex[(r >> k) & 0x0F]);
			}
			spaces = false;
		} else if (is_space(v, n, i)) {
			if (allow_breaks && !spaces && e->column > BEST_WIDTH && i > 0 &&
			    i < n - 1) {
				em_write_indent(e);
				if (is_space(v, n, i + 1))
					em_put(e, '\\');
				i += width(v[i]);
			} else {
				em_write(e, v, n, &i);
			}
			spaces = true;
		} else {
			em_write(e, v, n, &i);
			spaces = false;
		}
	}
	em_write_indicator(e, '"', false, false, false);
	e->whitespace = false;
	e->indention = false;
}

/* yaml_emitter_write_block_scalar_hints */
static void write_block_hints(em *e, const unsigned char *v, size_t n)
{
	if (is_space(v, n, 0) || is_break(v, n, 0)) {
		em_write_indicator(e, (char)('0' + BEST_INDENT), false, false, false);
	}
	char chomp = 0;
	if (n == 0) {
		chomp = '-';
	} else {
		size_t i = n - 1;
		while (i > 0 && (v[i] & 0xC0) == 0x80)
			i--;
		if (!is_break(v, n, i)) {
			chomp = '-';
		} else if (i == 0) {
			chomp = '+';
		} else {
			i--;
			while (i > 0 && (v[i] & 0xC0) == 0x80)
				i--;
			if (is_break(v, n, i))
				chomp = '+';
		}
	}
	if (chomp)
		em_write_indicator(e, chomp, false, false, false);
}

/* yaml_emitter_write_literal_scalar */
static void write_literal(em *e, const unsigned char *v, size_t n)
{
	em_write_indicator(e, '|', true, false, false);
	write_block_hints(e, v, n);
	em_put_break(e);
	e->indention = true;
	e->whitespace = true;
	bool breaks = true;
	for (size_t i = 0; i < n;) {
		if (is_break(v, n, i)) {
			em_write_break(e, v, n, &i);
			e->indention = true;
			breaks = true;
		} else {
			if (breaks)
				em_write_indent(e);
			/* copy the rest of the line at once */
			size_t j = i;
			long runes = 0;
			while (j < n && !is_break(v, n, j)) {
				j += width(v[j]);
				runes++;
			}
			if (j > n)
				j = n;
			out_bytes(e->out, (const char *)v + i, j - i);
			e->column += runes;
			i = j;
			e->indention = false;
			breaks = false;
		}
	}
}

/* yaml_emitter_emit_scalar: choose the style, indent, write.  `requested`
 * is what encode.go asked for; `a` the analysis of v. */
static void emit_scalar(em *e, const char *s, size_t n, int requested,
                        const analysis *a)
{
	const unsigned char *v = (const unsigned char *)s;
	int style = select_style(e, requested, n, a);
	int saved = e->indent;
	em_increase_indent(e, true, false);
	bool allow_breaks = !e->simple_key_ctx;
	switch (style) {
	case ST_PLAIN:
		write_plain(e, v, n, allow_breaks);
		break;
	case ST_SINGLE:
		write_single(e, v, n, allow_breaks);
		break;
	case ST_DOUBLE:
		write_double(e, v, n, allow_breaks);
		break;
	default:
		write_literal(e, v, n);
		break;
	}
	e->indent = saved;
}

/* A scalar that is plain whatever the context (numbers, bools, null):
 * skips the analysis, which would find nothing to object to. */
static void emit_plain_word(em *e, const char *s, size_t n)
{
	if (!e->whitespace)
		em_put(e, ' ');
	out_bytes(e->out, s, n);
	e->column += (long)n;
	e->whitespace = false;
	e->indention = false;
}

/* encode.go stringv: the style go-yaml v2 asks the emitter for. */
static int string_style(const char *s, size_t n)
{
	if (memchr(s, '\n', n))
		return ST_LITERAL;
	if (v2_resolves_to_str(s, n) && !is_base60_float(s, n))
		return ST_PLAIN;
	return ST_DOUBLE;
}

/* Emit a Go string value (already through prepare_string). */
static void emit_string(em *e, const char *s, size_t n)
{
	analysis a;
	analyze_scalar((const unsigned char *)s, n, &a);
	emit_scalar(e, s, n, string_style(s, n), &a);
}

/* ------------------------------------------------------------------------
 * Numbers.
 * ------------------------------------------------------------------------ */



/* Compare the dp-digit integer d[0..nd) followed by zeros with lim
 * (strlen(lim) == dp): <0, 0, >0. */
static int cmp_digits(const char *d, int nd, const char *lim)
{
	for (int i = 0; lim[i]; i++) {
		char c = i < nd ? d[i] : '0';
		if (c != lim[i])
			return c < lim[i] ? -1 : 1;
	}
	return 0;
}

/* A float64 as the pipeline prints it: encoding/json's floatEncoder
 * ('f' format for 1e-6 <= |v| < 1e21, else 'e'), read back by go-yaml v2's
 * resolver (an integral 'f' rendering that fits int64/uint64 is an int,
 * printed as that integer), else strconv.FormatFloat(v, 'g', -1, 64).
 * Writes into buf (>= 64 bytes); returns the length or -1 (NaN/Inf). */
static int format_float(double v, char *buf, const char **err)
{
	if (isnan(v)) {
		*err = ERR_NAN;
		return -1;
	}
	if (isinf(v)) {
		*err = v > 0 ? ERR_PINF : ERR_NINF;
		return -1;
	}
	if (v == 0) {
		buf[0] = '0'; /* -0 too: JSON "-0" is int 0 to go-yaml v2 */
		buf[1] = '\0';
		return 1;
	}
	char d[24];
	int dp, k = 0;
	bool neg = v < 0;
	double a = fabs(v);
	int nd = kr_go_shortest_digits(a, 64, d, &dp);
	if (neg)
		buf[k++] = '-';
	if (a >= 1e-6 && a < 1e21 && dp >= nd) {
		bool fits;
		if (dp < 19)
			fits = true;
		else if (dp == 19)
			fits = !neg || cmp_digits(d, nd, "9223372036854775808") <= 0;
		else if (dp == 20)
			fits = !neg && cmp_digits(d, nd, "18446744073709551615") <= 0;
		else
			fits = false;
		if (fits) {
			for (int i = 0; i < dp; i++)
				buf[k++] = i < nd ? d[i] : '0';
			buf[k] = '\0';
			return k;
		}
	}
	/* strconv %g with the shortest digits: %e when exp < -4 || exp >= 6 */
	int exp = dp - 1;
	if (exp < -4 || exp >= 6) {
		buf[k++] = d[0];
		if (nd > 1) {
			buf[k++] = '.';
			for (int i = 1; i < nd; i++)
				buf[k++] = d[i];
		}
		k += snprintf(buf + k, 16, "e%c%02d", exp < 0 ? '-' : '+',
		              exp < 0 ? -exp : exp);
	} else {
		if (dp > 0) {
			for (int i = 0; i < dp; i++)
				buf[k++] = i < nd ? d[i] : '0';
		} else {
			buf[k++] = '0';
		}
		if (nd > dp) {
			buf[k++] = '.';
			for (int i = dp; i < nd; i++)
				buf[k++] = i < 0 ? '0' : d[i];
		}
		buf[k] = '\0';
	}
	return k;
}

enum { NUM_NONE, NUM_INT, NUM_UINT, NUM_FLOAT };

/* go-yaml v3 resolve.go for a plain scalar with the 'D'/'S' hint, numbers
 * only: ParseInt(plain, 0, 64), ParseUint, yamlStyleFloat + ParseFloat,
 * then the 0b/-0b/0o/-0o fallbacks; `plain` has no '_'. */
static int v3_number(const char *plain, size_t k, int64_t *iv, uint64_t *uv, double *fv)
{
	if (kr_go_parse_int(plain, k, 0, iv) == 0)
		return NUM_INT;
	if (kr_go_parse_uint(plain, k, 0, uv) == 0)
		return NUM_UINT;
	if (kr_yaml_style_float(plain, k) && kr_go_parse_float(plain, fv) == 0)
		return NUM_FLOAT;
	for (int base = 2; base <= 8; base += 6) {
		char c = base == 2 ? 'b' : 'o';
		if (k >= 2 && plain[0] == '0' && plain[1] == c) {
			if (kr_go_parse_int(plain + 2, k - 2, base, iv) == 0)
				return NUM_INT;
			if (kr_go_parse_uint(plain + 2, k - 2, base, uv) == 0)
				return NUM_UINT;
			return NUM_NONE;
		}
		if (k >= 3 && plain[0] == '-' && plain[1] == '0' && plain[2] == c) {
			uint64_t u;
			if (k > 3 && (plain[3] == '+' || plain[3] == '-'))
				return NUM_NONE;
			if (kr_go_parse_uint(plain + 3, k - 3, base, &u) == 0 &&
			    u <= (uint64_t)1 << 63) {
				*iv = (int64_t)(0 - u);
				return NUM_INT;
			}
			return NUM_NONE;
		}
	}
	return NUM_NONE;
}

/* The Go value go-yaml v3 decodes an INT or FLOAT scalar to. */
static int number_value(const kr_node *n, int64_t *iv, uint64_t *uv, double *fv)
{
	const char *s = n->u.s.str;
	size_t len = n->u.s.len;
	char stackbuf[NUMBUF], *buf = stackbuf;
	int kind = NUM_NONE;
	if (len == 0)
		return NUM_NONE;
	if (len >= NUMBUF) {
		buf = malloc(len + 1);
		if (!buf)
			return NUM_NONE;
	}
	size_t k = kr_strip_underscores(buf, s, len);
	if (s[0] == '.') {
		/* the '.' hint: ParseFloat of the text as written */
		if (kr_go_float_syntax_dot(s, len) && kr_go_parse_float(buf, fv) == 0)
			kind = NUM_FLOAT;
	} else {
		kind = v3_number(buf, k, iv, uv, fv);
	}
	if (buf != stackbuf)
		free(buf);
	return kind;
}

/* ------------------------------------------------------------------------
 * The walk.
 * ------------------------------------------------------------------------ */
typedef struct sort_item {
	const char *k;      /* the key as go-yaml v2 sees it */
	size_t n;
	const kr_node *val;
	char *owned;        /* malloc'd k, or NULL */
} sort_item;

typedef struct walker {
	em e;
	sort_item *sbuf;    /* a stack of the sort arrays of open mappings */
	size_t scap, stop;
	bool sheap;         /* sbuf is malloc'd */
} walker;

static int emit_node(walker *w, const kr_node *n, int depth, bool mapping,
                     bool simple_key);

int kr_emit_text_is_timestamp(const char *s, size_t n)
{
	tstamp t;
	return parse_timestamp(s, n, &t);
}

/* A scalar go-yaml v3 resolves as !!timestamp (see the file comment). */
static bool plain_timestamp(const kr_node *n)
{
	tstamp t;
	return n->tag == KR_TAG_STR && n->style == KR_STYLE_PLAIN && n->line != 0 &&
	       !(n->flags & KR_NODE_TAGGED) &&
	       parse_timestamp(n->u.s.str, n->u.s.len, &t);
}

int kr_emit_is_timestamp(const kr_node *n)
{
	return n->type == KR_SCALAR && plain_timestamp(n);
}

static int emit_value_scalar(walker *w, const kr_node *n)
{
	em *e = &w->e;
	char buf[64];
	int64_t iv = 0;
	uint64_t uv = 0;
	double fv = 0;
	int len;
	switch (n->tag) {
	case KR_TAG_NULL:
		emit_plain_word(e, "null", 4);
		return 0;
	case KR_TAG_BOOL: {
		char c = n->u.s.len ? n->u.s.str[0] : 0;
		if (c == 't' || c == 'T') {
			emit_plain_word(e, "true", 4);
			return 0;
		}
		if (c == 'f' || c == 'F') {
			emit_plain_word(e, "false", 5);
			return 0;
		}
		break;
	}
	case KR_TAG_INT:
	case KR_TAG_FLOAT: {
		const char *s = n->u.s.str;
		size_t sl = n->u.s.len;
		if (n->tag == KR_TAG_FLOAT) {
			if (lit_eq(s, sl, ".nan") || lit_eq(s, sl, ".NaN") || lit_eq(s, sl, ".NAN")) {
				e->err = ERR_NAN;
				return -1;
			}
			const char *t = (sl && (s[0] == '+' || s[0] == '-')) ? s + 1 : s;
			size_t tl = sl - (size_t)(t - s);
			if (lit_eq(t, tl, ".inf") || lit_eq(t, tl, ".Inf") || lit_eq(t, tl, ".INF")) {
				e->err = s[0] == '-' ? ERR_NINF : ERR_PINF;
				return -1;
			}
		}
		int kind = number_value(n, &iv, &uv, &fv);
		if (kind != NUM_NONE && n->tag == KR_TAG_FLOAT && kind != NUM_FLOAT) {
			/* !!float 1: go-yaml v3 converts the int to float64 */
			fv = kind == NUM_INT ? (double)iv : (double)uv;
			kind = NUM_FLOAT;
		}
		if (kind == NUM_INT) {
			len = snprintf(buf, sizeof buf, "%lld", (long long)iv);
			emit_plain_word(e, buf, (size_t)len);
			return 0;
		}
		if (kind == NUM_UINT) {
			len = snprintf(buf, sizeof buf, "%llu", (unsigned long long)uv);
			emit_plain_word(e, buf, (size_t)len);
			return 0;
		}
		if (kind == NUM_FLOAT) {
			len = format_float(fv, buf, &e->err);
			if (len < 0)
				return -1;
			emit_plain_word(e, buf, (size_t)len);
			return 0;
		}
		break; /* not a number go-yaml v3 accepts (e.g. 1e400): a string */
	}
	default:
		break;
	}
	/* A string. */
	if (n->tag == KR_TAG_STR && n->style == KR_STYLE_PLAIN && n->line != 0 &&
	    !(n->flags & KR_NODE_TAGGED)) {
		/* go-yaml v3 !!timestamp -> time.Time -> RFC 3339 text */
		tstamp t;
		if (parse_timestamp(n->u.s.str, n->u.s.len, &t)) {
			len = format_timestamp(&t, buf);
			if (len < 0) {
				e->err = ERR_TZ;
				return -1;
			}
			emit_string(e, buf, (size_t)len);
			return 0;
		}
	}
	const char *s;
	size_t sl;
	char *owned;
	if (prepare_string(n->u.s.str, n->u.s.len, &s, &sl, &owned, &e->err) < 0)
		return -1;
	emit_string(e, s, sl);
	free(owned);
	return 0;
}

/* Reserve `n` sort items on the walker's stack; the offset, or -1. */
static long sort_push(walker *w, size_t n)
{
	if (w->stop + n > w->scap) {
		size_t ncap = w->scap * 2;
		if (ncap < w->stop + n)
			ncap = w->stop + n;
		sort_item *p;
		if (w->sheap) {
			p = realloc(w->sbuf, ncap * sizeof(*p));
		} else {
			p = malloc(ncap * sizeof(*p));
			if (p && w->stop)
				memcpy(p, w->sbuf, w->stop * sizeof(*p));
		}
		if (!p)
			return -1;
		w->sbuf = p;
		w->scap = ncap;
		w->sheap = true;
	}
	long off = (long)w->stop;
	w->stop += n;
	return off;
}

static int cmp_items(const void *x, const void *y)
{
	const sort_item *a = x, *b = y;
	if (a->n == b->n && memcmp(a->k, b->k, a->n) == 0)
		return 0;
	return kr_emit_key_less(a->k, a->n, b->k, b->n) ? -1 : 1;
}

/* Order the keys of one mapping.  go-yaml v2 uses sort.Sort (pdqsort)
 * on the keys in Go's random map order; for keys on which keyList.Less is
 * a consistent order every algorithm gives the same result, and for the
 * others (see test_emit__key_cycles) kubectl's own output varies from run
 * to run.  Small mappings use an insertion sort, others qsort; input that
 * is already in order costs one comparison per key. */
static void sort_items(sort_item *it, size_t n)
{
	size_t i = 1;
	while (i < n && cmp_items(&it[i - 1], &it[i]) <= 0)
		i++;
	if (i >= n)
		return;
	if (n > 16) {
		qsort(it, n, sizeof(*it), cmp_items);
		return;
	}
	for (; i < n; i++) {
		sort_item x = it[i];
		size_t j = i;
		while (j > 0 && cmp_items(&x, &it[j - 1]) < 0) {
			it[j] = it[j - 1];
			j--;
		}
		it[j] = x;
	}
}

static int emit_map(walker *w, const kr_node *n, int depth)
{
	em *e = &w->e;
	uint32_t len = n->u.m.len;
	if (len == 0) {
		/* an empty mapping goes to flow style: "{}" */
		em_write_indicator(e, '{', true, true, false);
		em_write_indicator(e, '}', false, false, false);
		return 0;
	}
	long off = sort_push(w, len);
	if (off < 0) {
		e->err = ERR_NOMEM;
		return -1;
	}
	int rc = 0;
	uint32_t prepared = 0;
	for (uint32_t i = 0; i < len; i++, prepared++) {
		const kr_node *key = n->u.m.items[i].key;
		sort_item *it = &w->sbuf[off + i];
		/* Below the root, go-yaml v3 makes a mapping with a non-string
		 * key a map[interface{}]interface{} (decode.go isStringMap),
		 * which json.Marshal refuses.  Root keys are decoded into the
		 * string keys of a map[string]interface{}: their text. */
		if (depth > 0 && (key->tag != KR_TAG_STR || plain_timestamp(key))) {
			e->err = ERR_MAPKEY;
			rc = -1;
			break;
		}
		it->val = n->u.m.items[i].value;
		if (check_json_key(key->u.s.str, key->u.s.len, &e->err) < 0) {
			rc = -1;
			break;
		}
		if (prepare_string(key->u.s.str, key->u.s.len, &it->k, &it->n,
		                   &it->owned, &e->err) < 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0) {
		sort_items(&w->sbuf[off], len);
		int saved = e->indent;
		em_increase_indent(e, false, false);
		for (uint32_t i = 0; i < len && rc == 0; i++) {
			sort_item *it = &w->sbuf[off + i]; /* sbuf may move */
			analysis a;
			analyze_scalar((const unsigned char *)it->k, it->n, &a);
			int style = string_style(it->k, it->n);
			em_write_indent(e);
			if (!a.multiline && it->n <= 128) {
				/* yaml_emitter_check_simple_key */
				e->mapping_ctx = true;
				e->simple_key_ctx = true;
				emit_scalar(e, it->k, it->n, style, &a);
				em_write_indicator(e, ':', false, false, false);
			} else {
				em_write_indicator(e, '?', true, false, true);
				e->mapping_ctx = true;
				e->simple_key_ctx = false;
				emit_scalar(e, it->k, it->n, style, &a);
				em_write_indent(e);
				em_write_indicator(e, ':', true, false, true);
			}
			rc = emit_node(w, it->val, depth + 1, true, false);
		}
		e->indent = saved;
	}
	for (uint32_t i = 0; i < prepared; i++)
		free(w->sbuf[off + i].owned);
	w->stop = (size_t)off;
	return rc;
}

static int emit_seq(walker *w, const kr_node *n, int depth)
{
	em *e = &w->e;
	if (n->u.q.len == 0) {
		em_write_indicator(e, '[', true, true, false);
		em_write_indicator(e, ']', false, false, false);
		return 0;
	}
	int saved = e->indent;
	/* a sequence that is a mapping value stays at the key's column */
	em_increase_indent(e, false, e->mapping_ctx && !e->indention);
	for (uint32_t i = 0; i < n->u.q.len; i++) {
		em_write_indent(e);
		em_write_indicator(e, '-', true, false, true);
		if (emit_node(w, n->u.q.items[i], depth + 1, false, false) < 0)
			return -1;
	}
	e->indent = saved;
	return 0;
}

/* yaml_emitter_emit_node */
static int emit_node(walker *w, const kr_node *n, int depth, bool mapping,
                     bool simple_key)
{
	w->e.mapping_ctx = mapping;
	w->e.simple_key_ctx = simple_key;
	switch (n->type) {
	case KR_MAP:
		return emit_map(w, n, depth);
	case KR_SEQ:
		return emit_seq(w, n, depth);
	default:
		return emit_value_scalar(w, n);
	}
}

int kr_emit_document(kr_buf *out, const kr_node *doc, const char **err)
{
	sort_item stack_items[256];
	walker w;
	memset(&w, 0, sizeof(w));
	w.e.out = out;
	w.e.indent = -1;
	w.e.whitespace = true;
	w.e.indention = true;
	w.sbuf = stack_items;
	w.scap = sizeof(stack_items) / sizeof(stack_items[0]);
	int rc = emit_node(&w, doc, 0, false, false);
	if (rc == 0)
		em_write_indent(&w.e); /* yaml_emitter_emit_document_end */
	if (w.sheap)
		free(w.sbuf);
	if (rc < 0 && err)
		*err = w.e.err;
	return rc;
}
