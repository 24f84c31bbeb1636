/* The default model's tokenizer (all-MiniLM-L6-v2, BERT uncased WordPiece)
 * on hard cases: accents in both forms, CJK, emoji and ZWJ sequences,
 * control and zero-width characters, U+FFFD, Unicode spaces, long words,
 * punctuation, special tokens inside text, Greek/Cyrillic/Turkish İ,
 * full-width forms, marks of many scripts. Expected ids (without [CLS] and
 * [SEP]) come from tokenizers 0.23.3 on the same tokenizer.json; the model
 * files must be in the cache (fails otherwise). */
#include "text_test_util.h"

#include <pthread.h>

typedef struct tok_case {
    const char *text;
    size_t len;
    int32_t ids[64];
    size_t n;
} tok_case;

/* clang-format off */
static const tok_case cases[] = {
    {"", 0, {0}, 0},
    {" ", 1, {0}, 0},
    {"   ", 3, {0}, 0},
    {"\x09\x0a\x0d", 3, {0}, 0},
    {"Hello, World!", 13, {7592, 1010, 2088, 999}, 4},
    {"na\xc3\xafve caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9", 21, {15743, 7668, 13746}, 3},
    {"nai\xcc\x88ve cafe\xcc\x81", 14, {15743, 7668}, 2},
    {"\xc3\x85ngstr\xc3\xb6m \xc3\x85NGSTR\xc3\x96M", 21, {17076, 15687, 17076, 15687}, 4},
    {"\xc4\xb0stanbul \xc4\xb1i \xc4\xb0 I", 18, {9960, 1104, 2072, 1045, 1045}, 5},
    {"\xc3\x9f \xe1\xba\x9e \xc7\x85 \xc7\x88", 12, {1096, 1096, 100, 100}, 4},
    {"Stra\xc3\x9f" "e", 7, {2358, 27807}, 2},
    {"\xce\x91\xce\x92\xce\x93 \xce\xb1\xce\xb2\xce\xb3 \xce\xa3\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82 \xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f\xce\xa3 \xcf\x82", 46, {1155, 29720, 29721, 1155, 29720, 29721, 1173, 18199, 29733, 29735, 29736, 15297, 1173, 18199, 29733, 29735, 29736, 29730, 29733, 1172}, 20},
    {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80 \xd0\x81\xd0\x96\xd0\x98\xd0\x9a", 28, {1194, 16856, 10325, 25529, 15290, 22919, 1191, 10325, 16856, 1185, 29743, 10325, 23925}, 13},
    {"\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf\xe3\x83\xbc\xe3\x81\xaf\xe6\x97\xa5\xe6\x9c\xac\xe3\x81\xae\xe6\x9d\xb1\xe4\xba\xac\xe3\x81\xab\xe3\x81\x82\xe3\x82\x8a\xe3\x81\xbe\xe3\x81\x99\xe3\x80\x82", 51, {1879, 1755, 1709, 30262, 30265, 30198, 1864, 1876, 1671, 1879, 1755, 1668, 30172, 30212, 30203, 30184, 1636}, 17},
    {"\xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97\xe7\xac\xa6\xe6\xb8\xac\xe8\xa9\xa6\xef\xbc\x8c\xe6\xa8\x99\xe9\xbb\x9e\xef\xbc\x81", 30, {1746, 1861, 100, 100, 100, 100, 1989, 100, 100, 1986}, 10},
    {"\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4 \xed\x85\x8d\xec\x8a\xa4\xed\x8a\xb8 \xed\x85\x8c\xec\x8a\xa4\xed\x8a\xb8", 29, {1469, 30006, 30021, 29991, 30014, 30020, 29999, 30008, 1467, 30009, 30020, 29997, 30017, 30003, 30017, 1467, 30009, 29997, 30017, 30003, 30017}, 21},
    {"\xf0\xa0\x80\x80\xf0\xa0\x80\x81 \xf0\xaa\x9c\x80 \xf0\xab\x9d\x80 \xf0\xab\xa0\xa0 \xf0\xac\xba\xb0 \xf0\xb0\x80\x80", 33, {100, 100, 100, 100, 100, 100, 100}, 7},
    {"\xe2\xae\x81" "F\xe2\xae\x82" "0\xe2\xae\x91" "F\xe2\xae\x92" "0", 16, {100}, 1},
    {"emoji \xf0\x9f\x98\x80\xf0\x9f\x98\x83 \xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd \xf0\x9f\x87\xab\xf0\x9f\x87\xb7", 32, {7861, 29147, 2072, 100, 100, 100}, 6},
    {"family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x91\xa7\xe2\x80\x8d\xf0\x9f\x91\xa6 zwj", 36, {2155, 100, 1062, 2860, 3501}, 5},
    {"a\xe2\x80\x8b" "b\xe2\x80\x8c" "c\xe2\x80\x8d" "d\xef\xbb\xbf" "e", 17, {5925, 3207}, 2},
    {"\x00null\x00", 6, {19701}, 1},
    {"rep\xef\xbf\xbdlace", 10, {5672}, 1},
    {"nbsp\xc2\xa0here\xe2\x80\x83" "em\xe2\x80\x89thin\xe3\x80\x80ideo", 29, {1050, 5910, 2361, 2182, 7861, 4857, 8909, 8780}, 8},
    {"mixed \x09\x09  \x0a\x0a whitespace \x0d\x0a end", 30, {3816, 12461, 15327, 2203}, 4},
    {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 101, {100}, 1},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 100, {13360, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 11057, 2050}, 50},
    {"supercalifragilisticexpialidocioussupercalifragilisticexpialidocioussupercalifragilisticexpialidocioussupercalifragilisticexpialidocious", 136, {100}, 1},
    {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 202, {100}, 1},
    {"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 200, {25212, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402, 4402}, 50},
    {"!\x22#$%&'()*+,-./:;<=>?@[\x5c]^_`{|}~", 32, {999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1024, 1025, 1026, 1027, 1028, 1029, 1030, 1031, 1032, 1033, 1034, 1035, 1036, 1063, 1064, 1065, 1066}, 32},
    {"\xc2\xabquotes\xc2\xbb \xe2\x80\x9elow\xe2\x80\x9c \xe2\x80\x98single\xe2\x80\x99 \xe2\x80\x94 \xe2\x80\x93 \xe2\x80\xa6 \xc2\xb7 \xe2\x80\xa2 \xc2\xbf\xc2\xa1", 57, {1077, 16614, 1090, 1525, 2659, 1523, 1520, 2309, 1521, 1517, 1516, 1529, 1087, 1528, 1094, 1067}, 16},
    {"[CLS] [SEP] [MASK] [PAD] [UNK]", 30, {101, 102, 103, 0, 100}, 5},
    {"a[MASK]b", 8, {1037, 103, 1038}, 3},
    {"[MASK][MASK]", 12, {103, 103}, 2},
    {"[mask] [Mask]", 13, {1031, 7308, 1033, 1031, 7308, 1033}, 6},
    {"[CLS", 4, {1031, 18856, 2015}, 3},
    {"[[SEP]]", 7, {1031, 102, 1033}, 3},
    {"\xef\xbc\xa6\xef\xbc\xb5\xef\xbc\xac\xef\xbc\xac\xe3\x80\x80\xef\xbd\x97\xef\xbd\x89\xef\xbd\x84\xef\xbd\x94\xef\xbd\x88\xe3\x80\x80\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", 42, {100, 100, 100}, 3},
    {"\xef\xac\x81 \xef\xac\x82 \xef\xac\x83 ligatures", 21, {1984, 1985, 100, 8018, 22662}, 5},
    {"\xe2\x91\xa0 \xe2\x91\xa1 \xe2\x85\xb7 \xe3\x8e\x8f \xe2\x84\xa2", 19, {100, 100, 100, 100, 1580}, 5},
    {"\xe2\x92\xb6 \xe2\x92\xb7 \xe2\x93\x90", 11, {100, 100, 100}, 3},
    {"\xe2\x84\x8c \xe2\x84\x8d \xe2\x84\x8e", 11, {100, 100, 100}, 3},
    {"\xcc\x81start mark", 12, {2707, 2928}, 2},
    {"mark end\xcc\x81", 10, {2928, 2203}, 2},
    {"a\xcc\xa3\xcc\x82 q\xcc\x87\xcc\xa3", 11, {1037, 1053}, 2},
    {"\xe1\xba\xa1\xcc\x82 \xe1\xba\xad", 9, {1037, 1037}, 2},
    {"\xe1\xb8\x8b\xcc\xa3 \xe1\xb8\x8d\xcc\x87", 11, {1040, 1040}, 2},
    {"Hangul \xed\x95\x9c \xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", 20, {19051, 1469, 30006, 30021, 1469, 30006, 30021}, 7},
    {"\xe0\xa5\x98 \xe0\xa4\x95\xe0\xa4\xbc", 10, {1315, 1315}, 2},
    {"\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8\xe0\xa5\x8d\xe0\xa4\xa6\xe0\xa5\x80 \xe0\xa4\xa6\xe0\xa5\x87\xe0\xa4\xb5\xe0\xa4\xa8\xe0\xa4\xbe\xe0\xa4\x97\xe0\xa4\xb0\xe0\xa5\x80", 43, {1339, 29877, 29863, 29861, 29878, 1325, 29871, 29863, 29876, 29853, 29869, 29878}, 12},
    {"\xe0\xae\xa4\xe0\xae\xae\xe0\xae\xbf\xe0\xae\xb4\xe0\xaf\x8d", 15, {100}, 1},
    {"\xe0\xb9\x84\xe0\xb8\x97\xe0\xb8\xa2 \xe0\xb8\xa0\xe0\xb8\xb2\xe0\xb8\xa9\xe0\xb8\xb2", 22, {100, 100}, 2},
    {"\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9 \xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", 25, {1270, 23673, 29830, 17149, 29816, 14498, 19433, 1295, 17149, 29820, 29816, 25573}, 12},
    {"\xd7\xa2\xd7\x91\xd7\xa8\xd7\x99\xd7\xaa \xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d", 19, {1259, 29789, 29811, 29796, 29813, 1266, 29799, 29792, 29800}, 9},
    {"\xe2\x80\x8e\xe2\x80\x8f bidi \xe2\x80\xaa\xe2\x80\xae", 18, {7226, 2072}, 2},
    {"ctl\x01\x02\x07\x1b\x7f\xc2\x85\xc2\x9f", 12, {14931, 2140}, 2},
    {"\x0b\x0c vt ff", 8, {28879, 21461}, 2},
    {"\x1c\x1d\x1e\x1f seps", 9, {19802, 2015}, 2},
    {"soft\xc2\xadhyphen", 12, {3730, 10536, 8458, 2368}, 4},
    {"\xe2\x80\xa8line\xe2\x80\xa9para", 14, {2240, 11498}, 2},
    {"numbers 3.14159 1,000,000 -42 +7 1e10", 37, {3616, 1017, 1012, 15471, 28154, 1015, 1010, 2199, 1010, 2199, 1011, 4413, 1009, 1021, 1015, 2063, 10790}, 17},
    {"email foo.bar@example.com https://x.y/z?q=1&r=2", 47, {10373, 29379, 1012, 3347, 1030, 2742, 1012, 4012, 16770, 1024, 1013, 1013, 1060, 1012, 1061, 1013, 1062, 1029, 1053, 1027, 1015, 1004, 1054, 1027, 1016}, 25},
    {"C++ C# F# .NET", 14, {1039, 1009, 1009, 1039, 1001, 1042, 1001, 1012, 5658}, 9},
    {"don't won't it's", 16, {2123, 1005, 1056, 2180, 1005, 1056, 2009, 1005, 1055}, 9},
    {"snake_case camelCase kebab-case", 31, {7488, 1035, 2553, 19130, 18382, 17710, 3676, 2497, 1011, 2553}, 10},
    {"__init__ ___", 12, {1035, 1035, 1999, 4183, 1035, 1035, 1035, 1035, 1035}, 9},
    {"tab\x09separated\x09values", 20, {21628, 5459, 5300}, 3},
    {"  leading and trailing  ", 24, {2877, 1998, 12542}, 3},
    {"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 200, {100}, 1},
    {"\xf0\x9f\x8f\xb3\xef\xb8\x8f\xe2\x80\x8d\xf0\x9f\x8c\x88 \xf0\x9f\x8f\xb4\xe2\x80\x8d\xe2\x98\xa0\xef\xb8\x8f", 28, {100, 100}, 2},
    {"\xc7\x84" "emal \xc7\x85" "emal \xc7\x86" "emal", 20, {100, 100, 100}, 3},
    {"\xce\xa9 \xce\xa9 \xc3\x85 K", 10, {1179, 1179, 1037, 1047}, 4},
    {"\xc4\xb0\xcc\x87", 4, {1045}, 1},
    {"I\xcc\x87", 3, {1045}, 1},
    {"\xf0\x90\x90\x80\xf0\x90\x90\xa8 deseret", 16, {100, 4078, 7869, 2102}, 4},
    {"\xe1\xba\x9e \xc3\x9f", 6, {1096, 1096}, 2},
    {"\xce\xa3\xcf\x83\xcf\x82", 6, {1173, 29733, 19579}, 3},
    {"\xc7\xb1 \xc7\xb2 \xc7\xb3", 8, {100, 100, 100}, 3},
    {"\xef\xac\x81\xef\xac\x82", 6, {1984, 30511}, 2},
    {"\xe2\x84\xa6\xe2\x84\xaa\xe2\x84\xab", 9, {1179, 2912}, 2},
    {"\xef\xa4\x80\xef\xa4\x81 \xef\xa8\x8e compat ideographs", 28, {100, 100, 100, 4012, 4502, 2102, 8909, 8780, 27341}, 9},
    {"\xe2\xbe\x80" "0\xe2\xbe\xa1" "D", 8, {100}, 1},
    {"\xe3\x90\x80\xe4\xb6\xbf\xe4\xb7\x80", 9, {100, 100, 100}, 3},
    {"\xe9\xbf\xbf\xea\x80\x80", 6, {100, 100}, 2},
    {"\xe1\x8e\xa0 \xe1\x8f\xb0 \xea\xad\xb0 cherokee", 20, {100, 100, 100, 13796}, 4},
    {"\xe1\x8f\xb8", 3, {100}, 1},
    {"\xf0\x9e\xa4\x80\xf0\x9e\xa4\xa2 adlam", 14, {100, 4748, 10278}, 3},
    {"\xf0\x96\xb9\x80\xf0\x96\xb9\xa0 medefaidrin", 20, {100, 19960, 12879, 14326, 6657}, 5},
    {"\xe1\x82\xa0\xe2\xb4\x80 georgian \xe1\xb2\x90 \xe1\x83\x90", 23, {100, 9166, 1438, 1438}, 4},
    {"\xe1\xb2\xb0 \xe1\x83\xb0", 7, {100, 100}, 2},
    {"\xea\x9e\xb5 \xea\x9e\xb4", 7, {100, 100}, 2},
    {"\xea\x9f\x80\xea\x9f\x81", 6, {100}, 1},
    {"\xe1\xb2\x89\xe1\xb2\x8a", 6, {100}, 1},
    {"\xea\x9f\x8b\xea\x9f\x9c", 6, {100}, 1},
    {"kiss\xcc\x81\xcc\x82\xcc\x83\xcc\x84\xcc\x85\xcc\x86\xcc\x87\xcc\x88\xcc\x89\xcc\x8a", 24, {3610}, 1},
    {"\xcc\xb4\xcc\x81" "a\xcc\x81\xcc\xb4", 9, {1037}, 1},
    {"\xf0\x9d\x85\xa5\xf0\x9d\x85\xae\xf0\x9d\x85\xad", 12, {100}, 1},
    {"\xe0\xbd\xb3 \xe0\xbd\xb5 \xe0\xbe\x81", 11, {0}, 0},
    {"\xcd\x84 \xe0\xbd\xb7", 6, {0}, 0},
    {"\xe1\xaa\xb0\xe1\xaa\xbf\xe1\xab\x80", 9, {100}, 1},
    {"don\xe2\x80\x99t \xe2\x80\x9csmart\xe2\x80\x9d \xe2\x80\x98quotes\xe2\x80\x99", 32, {2123, 1521, 1056, 1523, 6047, 1524, 1520, 16614, 1521}, 9},
    {"x\xcc\x80\xcc\x96\xcc\x80\xcc\x96", 9, {1060}, 1},
    {"\xef\xb7\xbd", 3, {100}, 1},
    {"\xef\xb7\xba", 3, {100}, 1},
    {"\xc2\xa0\xc2\xa0", 4, {0}, 0},
    {"\xe1\xa0\x8e mongolian", 13, {17855}, 1},
    {"a\x00" "b\x00" "c", 5, {5925}, 1},
    {"end.", 4, {2203, 1012}, 2},
    {".start", 6, {1012, 2707}, 2},
    {"...", 3, {1012, 1012, 1012}, 3},
    {"?!?!", 4, {1029, 999, 1029, 999}, 4},
    {"a.b.c", 5, {1037, 1012, 1038, 1012, 1039}, 5},
    {"(parenthesis)", 13, {1006, 6687, 24124, 1007}, 4},
    {"[brackets]", 10, {1031, 19719, 1033}, 3},
    {"{braces}", 8, {1063, 17180, 2015, 1065}, 4},
    {"\xe3\x80\x82\xef\xbc\x8c\xef\xbc\x81", 9, {1636, 1989, 1986}, 3},
    {"\xe3\x83\xbb\xef\xbd\xa5", 6, {1738, 100}, 2},
    {"0\xe2\x83\xa3 1\xef\xb8\x8f\xe2\x83\xa3", 12, {100, 100}, 2},
    {"\xc2\xb7\xce\x87", 4, {1087, 1087}, 2},
    {"\xd5\x9a\xd6\x89", 4, {100, 100}, 2},
    {"\xe1\x99\xad\xe1\x99\xae", 6, {100, 100}, 2},
    {"\xf0\x91\x87\x89", 4, {100}, 1},
    {"\xd8\x9d\xe0\xa7\xbd", 5, {100}, 1},
    {"\xe2\xb9\x83\xe2\xb9\x9d", 6, {100}, 1},
    {"\xf0\x91\xac\x80", 4, {100}, 1},
};
/* clang-format on */

/* Every case encoded again on its own thread, all at once: a loaded
 * tokenizer is shared read-only. */
typedef struct thread_job {
    const le_tokenizer *t;
    int mismatches;
} thread_job;

static void *encode_all(void *arg) {
    thread_job *job = arg;
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            le_ids ids = {0};
            le_error err;
            if (le_tokenizer_encode(job->t, cases[i].text, cases[i].len, &ids, &err) != LE_OK ||
                ids.n != cases[i].n ||
                (ids.n && memcmp(ids.ids, cases[i].ids, ids.n * sizeof *ids.ids)))
                job->mismatches++;
            le_ids_free(&ids);
        }
    }
    return NULL;
}

static void test_threads(const le_tokenizer *t) {
    pthread_t th[4];
    thread_job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (thread_job){t, 0};
        CHECK(pthread_create(&th[i], NULL, encode_all, &jobs[i]) == 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_EQ_INT(jobs[i].mismatches, 0);
    }
}

int main(void) {
    char *path = minilm_tokenizer_path();
    le_tokenizer *t;
    le_error err;
    le_status s = le_tokenizer_load(path, &t, &err);
    CHECK_MSG(s == LE_OK, "%s (the minilm model must be in the cache)", err.message);
    free(path);
    if (s) return check_report("text/tokenizer_cases");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_ids_at(__FILE__, (int)i, t, cases[i].text, cases[i].len, cases[i].ids, cases[i].n);
    const int32_t *b, *a;
    size_t nb, na;
    le_tokenizer_template(t, &b, &nb, &a, &na);
    CHECK(nb == 1 && b[0] == 101 && na == 1 && a[0] == 102);
    CHECK_EQ_INT(le_tokenizer_vocab_size(t), 30522);
    CHECK_EQ_INT(le_tokenizer_find(t, "[UNK]"), 100);
    CHECK(!strcmp(le_tokenizer_piece(t, 7592), "hello"));
    test_threads(t);
    le_tokenizer_free(t);
    return check_report("text/tokenizer_cases");
}
