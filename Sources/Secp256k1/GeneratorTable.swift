import EVMPrimitives

/// The odd multiples G, 3G, 5G, …, 127G in affine form: entry `i` is (2i + 1)·G. Constants,
/// computed once offline (independently of this module) from the generator; the tests check
/// every entry against the group law.
@usableFromInline
func generatorMultiple(_ i: Int) -> AffinePoint {
    switch i {
    case 0:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x59F2_815B_16F8_1798,
                    0x029B_FCDB_2DCE_28D9,
                    0x55A0_6295_CE87_0B07,
                    0x79BE_667E_F9DC_BBAC
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x9C47_D08F_FB10_D4B8,
                    0xFD17_B448_A685_5419,
                    0x5DA4_FBFC_0E11_08A8,
                    0x483A_DA77_26A3_C465
                )
            )
        )
    case 1:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x8601_F113_BCE0_36F9,
                    0xB531_C845_836F_99B0,
                    0x4934_4F85_F89D_5229,
                    0xF930_8A01_9258_C310
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x6CB9_FD75_84B8_E672,
                    0x6500_A999_34C2_231B,
                    0x0FE3_37E6_2A37_F356,
                    0x388F_7B0F_632D_E814
                )
            )
        )
    case 2:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xCBA8_D569_B240_EFE4,
                    0xE88B_84BD_DC61_9AB7,
                    0x55B4_A725_0A5C_5128,
                    0x2F8B_DE4D_1A07_2093
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xDCA8_7D3A_A6AC_62D6,
                    0xF788_271B_AB0D_6840,
                    0xD4DB_A9DD_A6C9_C426,
                    0xD8AC_2226_36E5_E3D6
                )
            )
        )
    case 3:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xE92B_DDED_CAC4_F9BC,
                    0x3D41_9B7E_0330_E39C,
                    0xA398_F365_F2EA_7A0E,
                    0x5CBD_F064_6E5D_B4EA
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xA508_2628_0872_64DA,
                    0xA813_D0B8_13FD_E7B5,
                    0xA317_8D6D_861A_54DB,
                    0x6AEB_CA40_BA25_5960
                )
            )
        )
    case 4:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xC35F_110D_FC27_CCBE,
                    0xE097_9697_4C57_E714,
                    0x09AD_178A_9F55_9ABD,
                    0xACD4_84E2_F0C7_F653
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x05CC_262A_C64F_9C37,
                    0xADD8_88A4_375F_8E0F,
                    0x6438_0971_763B_61E9,
                    0xCC33_8921_B0A7_D9FD
                )
            )
        )
    case 5:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xBBEC_1789_5DA0_08CB,
                    0x5649_980B_E5C1_7891,
                    0x5EF4_246B_70C6_5AAC,
                    0x774A_E7F8_58A9_411E
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x301D_74C9_C953_C61B,
                    0x372D_B1E2_DFF9_D6A8,
                    0x0243_DD56_D7B7_B365,
                    0xD984_A032_EB6B_5E19
                )
            )
        )
    case 6:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xDEED_DF8F_1940_5AA8,
                    0xB075_FBC6_610E_58CD,
                    0xC7D1_D205_C374_8651,
                    0xF287_73C2_D975_288B
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x29B5_CB52_DB03_ED81,
                    0x3A1A_06DA_521F_A91F,
                    0x7582_12EB_65CD_AF47,
                    0x0AB0_902E_8D88_0A89
                )
            )
        )
    case 7:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x44AD_BCF8_E27E_080E,
                    0x31E5_946F_3C85_F79E,
                    0x5A46_5AE3_095F_F411,
                    0xD792_4D4F_7D43_EA96
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xC504_DC9F_F6A2_6B58,
                    0xEA40_AF2B_D896_D3A5,
                    0x8384_2EC2_28CC_6DEF,
                    0x581E_2872_A86C_72A6
                )
            )
        )
    case 8:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x66E4_FAA0_4A2D_4A34,
                    0xEB98_98AE_79B9_7687,
                    0xA420_FEE8_07EA_CF21,
                    0xDEFD_EA4C_DB67_7750
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xCFB1_99F6_9E56_EB77,
                    0xCED1_F4A0_4A95_C0F6,
                    0xE997_B0EA_D2A9_3DAE,
                    0x4211_AB06_9463_5168
                )
            )
        )
    case 9:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x7475_6561_3838_5B6C,
                    0xF06A_CFEB_D7E8_6D27,
                    0x93EF_5CFF_444F_4979,
                    0x2B4E_A0A7_97A4_43D2
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xB570_C854_E5C0_9B7A,
                    0x1A01_F60C_5026_9763,
                    0xB343_083B_5A1C_8613,
                    0x85E8_9BC0_3794_5D93
                )
            )
        )
    case 10:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x8134_0AEF_25BE_59D5,
                    0x1D9A_D402_71F8_1071,
                    0x4F93_FA33_2CE3_3330,
                    0x352B_BF4A_4CDD_1256
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x67BD_3D8B_CF81_998C,
                    0x4A1B_3B2E_71B1_039C,
                    0xD59C_1825_9DDA_3E1F,
                    0x321E_B407_5348_F534
                )
            )
        )
    case 11:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xDC9C_DADD_4ECA_CC3F,
                    0xE42A_B8DF_EFF5_FF29,
                    0x0230_0105_5987_9124,
                    0x2FA2_104D_6B38_D11B
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x423B_A76B_532B_7D67,
                    0x181D_70EC_FC88_2648,
                    0xB645_6933_5BD5_DD80,
                    0x02DE_1068_295D_D865
                )
            )
        )
    case 12:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x69CA_0CD7_F545_3714,
                    0x263C_3D84_E095_72E2,
                    0xAB21_A9B0_66ED_DA83,
                    0x9248_279B_09B4_D68D
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xE54A_32CE_97CB_3402,
                    0x3FC0_DE2A_8879_12FF,
                    0x5D1A_A71B_DEA2_B1FF,
                    0x7301_6F7B_F234_AADE
                )
            )
        )
    case 13:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x7E99_6D44_3DEE_8729,
                    0x2F57_0E14_4BF6_15C0,
                    0x8E70_132F_B0BE_B752,
                    0xDAED_4F2B_E3A8_BF27
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xAB40_E522_90BE_1C55,
                    0x3F83_C230_F3AF_A726,
                    0xD4A1_ACA8_7EF8_D700,
                    0xA69D_CE4A_7D6C_98E8
                )
            )
        )
    case 14:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xE6A3_B5E8_7D22_E7DB,
                    0x11EC_D9E9_FDF2_81B0,
                    0x8ACF_28D7_CBB1_9F90,
                    0xC44D_12C7_065D_812E
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xA039_063F_0E0E_6482,
                    0x0E10_6E86_1EDF_61C5,
                    0x76C4_5926_C982_FDAC,
                    0x2119_A460_CE32_6CDC
                )
            )
        )
    case 15:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xB61C_65CB_D269_E6B4,
                    0x152B_6953_36C2_8063,
                    0xC89A_20CF_DED6_0853,
                    0x6A24_5BF6_DC69_8504
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xFD5E_6348_100D_8A82,
                    0x8B33_BA48_D042_3B6E,
                    0x8B3F_5126_F16A_24AD,
                    0xE022_CF42_C2BD_4A70
                )
            )
        )
    case 16:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xF95A_E57F_0D0B_D6A5,
                    0xCE13_300B_0BEC_1146,
                    0xC077_E3D2_FE54_1084,
                    0x1697_FFA6_FD9D_E627
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xADEE_9D63_D01B_2396,
                    0xA2CF_1500_9E49_8AE7,
                    0x2756_1506_E455_7433,
                    0xB9C3_98F1_8680_6F5D
                )
            )
        )
    case 17:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xF982_345E_F27A_7479,
                    0x9DEB_8360_FFB7_F61D,
                    0x986D_0F07_E834_CB0D,
                    0x605B_DB01_9981_718B
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x3B01_E1E9_056B_8C49,
                    0xC26B_FAE8_4FB1_4DB4,
                    0x81A7_8D93_EC96_FE23,
                    0x0297_2D2D_E4F8_D206
                )
            )
        )
    case 18:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xFE31_C7E9_D87F_F33D,
                    0xDCB0_1C35_4959_B10C,
                    0x7402_FDC4_5A21_5E10,
                    0x62D1_4DAB_4150_BF49
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x35F5_6424_83B2_5EAF,
                    0x01AA_1329_67AB_4722,
                    0x9808_8A19_50EE_D0DB,
                    0x80FC_06BD_8CC5_B010
                )
            )
        )
    case 19:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x5E55_5C2F_8630_8B6F,
                    0x2C50_E9F5_6B9B_8B42,
                    0xDE5B_4B06_C408_E56B,
                    0x80C6_0AD0_040F_27DA
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x1AA0_1F56_430B_D57A,
                    0xA65E_ED4C_BE70_24EB,
                    0x26E6_6BAD_7FE7_2F70,
                    0x1C38_303F_1CC5_C30F
                )
            )
        )
    case 20:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x9D5E_ABB0_FA03_C8FB,
                    0x4CC5_DC94_87D8_4704,
                    0xAA74_C634_8CC5_4D34,
                    0x7A93_75AD_6167_AD54
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x02D4_99EC_224D_C7F7,
                    0xBDC5_9EA1_0C70_CE2B,
                    0x0955_9E0D_7926_9046,
                    0x0D0E_3FA9_ECA8_7269
                )
            )
        )
    case 21:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4BB5_1F45_9BC3_FFC9,
                    0xBB40_8EC3_9B68_DF50,
                    0x907A_9ED0_4544_7A79,
                    0xD528_ECD9_B696_B54C
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x0634_65B5_2140_9933,
                    0xBC43_4540_5C52_0DBC,
                    0x9966_F218_81FD_656E,
                    0xEECF_4125_3136_E5F9
                )
            )
        )
    case 22:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x8723_1808_F8B4_5963,
                    0x5266_115E_4A7E_CB13,
                    0xEA25_F514_E8EC_DAD0,
                    0x0493_70A4_B5F4_3412
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xB653_052A_1294_9C9A,
                    0x54C3_F3AF_BB5B_6764,
                    0x8B30_81B0_512F_D62A,
                    0x758F_3F41_AFD6_ED42
                )
            )
        )
    case 23:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xF1C1_3EB1_FC34_5D74,
                    0x881D_811E_0E14_98E2,
                    0xD73D_F930_D647_02EF,
                    0x77F2_3093_6EE8_8CBB
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xBE8E_B3C7_671C_60D6,
                    0x96C9_5330_D970_77CB,
                    0x0A08_266E_9BA1_B378,
                    0x958E_F42A_7886_B640
                )
            )
        )
    case 24:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xEB28_531B_7739_F530,
                    0x58C8_0074_AB9D_4DBA,
                    0xEA44_887E_5C7C_0BCE,
                    0xF2DA_C991_CC4C_E4B9
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x1A11_7DBA_703A_3C37,
                    0x9EB5_FBEB_0598_E4FD,
                    0x4DA1_F32D_EC25_31DF,
                    0xE0DE_DC9B_3B2F_8DAD
                )
            )
        )
    case 25:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xBCBA_4850_C690_D45B,
                    0x5A21_6CDF_C9DA_E3DE,
                    0x1B4B_E8FB_BE25_2012,
                    0x463B_3D9F_6626_21FB
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x1CB3_77B0_1AF7_307E,
                    0xC622_E27C_970A_1DE3,
                    0x4311_4306_DD86_22D7,
                    0x5ED4_30D7_8C29_6C35
                )
            )
        )
    case 26:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xA324_96B4_9998_F247,
                    0x6B98_FAC1_4328_A2D1,
                    0x0923_2D4A_FF3B_5997,
                    0xF16F_8042_44E4_6E2A
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xD657_9962_C4E3_1DF6,
                    0x2A6C_53C2_6E5C_CE26,
                    0x13D2_06FC_DF4E_33D9,
                    0xCEDA_BD9B_8220_3F7E
                )
            )
        )
    case 27:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x369E_15F7_151D_41D1,
                    0x5D24_5315_ACE2_7C65,
                    0xB035_2B7A_1431_1AF5,
                    0xCAF7_5427_2DC8_4563
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xC32F_9083_18A0_4476,
                    0x5F4F_A9B7_9622_32A5,
                    0xA41B_643F_A5E4_6057,
                    0xCB47_4660_EF35_F5F2
                )
            )
        )
    case 28:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x2449_7BC8_6F08_2120,
                    0x44A0_9C07_CB86_D7C1,
                    0xF85D_0F17_0997_9D8B,
                    0x2600_CA4B_282C_B986
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x4B0B_E947_5A7E_4B40,
                    0x5AC6_BE74_AB5F_0EF4,
                    0xA693_B03F_CDDB_B45D,
                    0x4119_B887_53C1_5BD6
                )
            )
        )
    case 29:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xC602_A774_6998_E435,
                    0x01C4_8685_E24F_7DC8,
                    0x338E_C53C_D122_20BC,
                    0x7635_CA72_D7E8_432C
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xD9E7_6F30_2C5B_9C61,
                    0x4ECF_C061_D570_48BA,
                    0x3D1D_5E59_0F78_E6D7,
                    0x091B_6496_0948_9D61
                )
            )
        )
    case 30:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xC1A5_0743_BF56_CC18,
                    0xB7F2_B334_79D4_68FB,
                    0xDBBF_4A87_DEEE_8A66,
                    0x754E_3239_F325_570C
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x0C5D_9809_3C53_6683,
                    0x23EE_33D0_197A_695D,
                    0xB3CD_0ED3_04EA_49A0,
                    0x0673_FB86_E5BD_A30F
                )
            )
        )
    case 31:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x9FE2_6946_91D9_B9E8,
                    0x3308_0066_1D1C_952F,
                    0xFF57_859C_82D5_70F0,
                    0xE3E6_BD10_71A1_E96A
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x6700_2AF4_920E_37F5,
                    0xA5A2_2839_93E9_0C41,
                    0x40C0_AA58_379A_3CB6,
                    0x59C9_E0BB_A394_E76F
                )
            )
        )
    case 32:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4CC4_7FDC_F04A_A6EB,
                    0xC4CC_B1F3_2BA3_5F4B,
                    0x26AE_73D8_8F73_2985,
                    0x186B_483D_056A_0338
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xA4A7_97F8_6E80_888B,
                    0x21FB_8090_8951_38B4,
                    0x2E17_446E_2041_80AB,
                    0x3B95_2D32_C67C_F77E
                )
            )
        )
    case 33:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x1A83_2172_4CE0_963F,
                    0x5442_E6D2_B737_D9C9,
                    0x44C9_8561_F4BE_4F72,
                    0xDF9D_70A6_B987_6CE5
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x17B8_C45C_F2BA_2417,
                    0xB157_2227_20EF_9DA2,
                    0x5F86_2B78_5DC3_9D4A,
                    0x55EB_2DAF_D84D_6CCD
                )
            )
        )
    case 34:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x5DE6_4C5F_34CE_7143,
                    0xAB52_554F_849E_D899,
                    0x497C_A815_D5DC_E0F8,
                    0x5EDD_5CC2_3C51_E87A
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xCDC7_06AB_7399_A868,
                    0xC13C_66C0_D17A_2905,
                    0x61E8_CEC0_30C8_9AD0,
                    0xEFAE_9C8D_BC14_1306
                )
            )
        )
    case 35:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x722D_362F_8461_4FBA,
                    0x7AA3_FBA1_C355_B17A,
                    0xDA12_FE02_287E_9E77,
                    0x2907_98C2_B647_6830
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x6D00_3AFD_4194_3E7A,
                    0x5B29_C094_DB2A_2314,
                    0x988D_00BC_F79A_F25D,
                    0xE38D_A76D_CD44_0621
                )
            )
        )
    case 36:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x62DF_DECE_F405_3B45,
                    0xCD29_552F_E360_2573,
                    0x0547_54EF_A150_AC39,
                    0xAF3C_423A_95D9_F5B3
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xBC2F_EDED_498F_D9C6,
                    0xC8CD_5AA6_67A1_5581,
                    0x9A93_B0E6_F35C_FB40,
                    0xF98A_3FD8_31EB_2B74
                )
            )
        )
    case 37:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x8D2F_ED50_D884_249A,
                    0x06BB_66B2_6DCF_98DF,
                    0xCCCA_A28C_99BF_2749,
                    0x766D_BB24_D134_E745
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x2C92_4F97_CBAC_5996,
                    0x9758_4A65_FA06_CEDD,
                    0x8DCC_8879_80DA_38B8,
                    0x744B_1152_EACB_E5E3
                )
            )
        )
    case 38:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xCE92_E666_191A_BE3E,
                    0x45F7_B44F_6C59_6A58,
                    0xA212_77C3_3784_F416,
                    0x59DB_F46F_8C94_759B
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xD85E_216C_4A30_7F6E,
                    0x42CE_739A_7919_798C,
                    0x0F4E_A6CE_6483_09A0,
                    0xC534_AD44_175F_BC30
                )
            )
        )
    case 39:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xB62D_C601_8CFD_87B8,
                    0xDD64_7E71_1A95_E73C,
                    0x305E_691E_74E9_A4A8,
                    0xF13A_DA95_103C_4537
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x0778_419B_DAF5_733D,
                    0x6949_E21A_6A75_C257,
                    0x63BF_4BC8_0834_1F32,
                    0xE138_17B4_4EE1_4DE6
                )
            )
        )
    case 40:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4885_5001_5A88_522C,
                    0xDA18_69C0_6EBA_DFB6,
                    0x6D41_67A2_C59C_CA4C,
                    0x7754_B4FA_0E8A_CED0
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x37A4_8B57_8411_63A2,
                    0x8D1E_4E35_0B6C_BCC5,
                    0x224B_967C_3020_B8FA,
                    0x30E9_3E86_4E66_9D82
                )
            )
        )
    case 41:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xA682_8C99_E226_2519,
                    0x0185_8F95_DE80_41D2,
                    0xAA38_74D4_6ABE_F9D7,
                    0x948D_CADF_5990_E048
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xCBBA_2CAE_5347_D57E,
                    0xDF91_54EF_BD2E_F1D2,
                    0xD5D2_8A32_24B1_BC25,
                    0xE491_A425_37F6_E597
                )
            )
        )
    case 42:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x7032_8A8A_3D7C_77AB,
                    0xFB22_4CF5_AC0B_FA15,
                    0x89C7_B48F_8202_EC37,
                    0x7962_4144_50C7_6C16
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x60AF_A5B2_9DB8_3437,
                    0x1250_7A05_1F04_AC57,
                    0x0D5C_1FC1_33EF_6F6B,
                    0x100B_610E_C4FF_B476
                )
            )
        )
    case 43:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xB0DD_0851_37EC_47CA,
                    0x5A16_9772_25B8_847B,
                    0xB15B_1606_44D9_1548,
                    0x3514_0878_3496_4B54
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x7E7D_15A0_DE29_3311,
                    0x6039_E77C_15C2_378B,
                    0x8E16_52C4_8E81_27FC,
                    0xEF0A_FBB2_0562_0544
                )
            )
        )
    case 44:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4294_3D3F_7B52_7EAF,
                    0x93E9_47EB_8DF7_87B4,
                    0xC79C_E2C9_DD8B_C549,
                    0xD3CC_30AD_6B48_3E4B
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xAFB3_4DB0_4EED_E0A4,
                    0x3C2A_D462_9035_8630,
                    0x89C5_E9BE_8F95_08AE,
                    0x8B37_8A22_D827_278D
                )
            )
        )
    case 45:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x3975_BA0F_F484_7610,
                    0x2B29_823D_B913_F649,
                    0xCE1C_78FC_BFEF_E08B,
                    0x1624_D847_8073_2860
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xCC06_E2A4_0407_8575,
                    0x8968_78F5_282B_E4C8,
                    0x0914_448C_6CD9_D4CA,
                    0x6865_1CF9_B6DA_903E
                )
            )
        )
    case 46:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x6DF7_B4FD_5FC6_1CD4,
                    0x5192_474B_5AF2_07DA,
                    0x6902_C956_33E6_2A98,
                    0x733C_E80D_A955_A8A2
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xC546_73BC_1DC5_EA1D,
                    0x3E1E_F8E0_201E_4578,
                    0x485A_4D8B_8DB9_FCCE,
                    0xF543_5A2B_D2BA_DF7D
                )
            )
        )
    case 47:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xEF25_8DFA_B81C_045C,
                    0x8966_C509_2171_E699,
                    0xCF1A_1C33_BBD3_B49F,
                    0x15D9_4412_5494_5064
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xFC37_BBE9_EFE4_070D,
                    0x4348_00BA_CEBF_C685,
                    0x34F5_137B_73B8_4177,
                    0xD56E_B30B_6946_3E72
                )
            )
        )
    case 48:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xAC13_8599_D071_7940,
                    0x1C21_417C_9D2B_8AAA,
                    0xB612_136E_5CE7_0D27,
                    0xA1D0_FCF2_EC9D_E675
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x1921_2D39_C197_A629,
                    0x6414_62A5_4070_F3D5,
                    0xB2E9_0737_3096_67F2,
                    0xEDD7_7F50_BCB5_A3CA
                )
            )
        )
    case 49:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xC7CA_3733_1CB3_6980,
                    0xA790_BADE_E824_5C06,
                    0x5780_C073_5F84_DBE9,
                    0xE22F_BE15_C0AF_8CCC
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xE43D_06D7_7D31_DA06,
                    0xA382_8915_4964_799B,
                    0x88B4_30A6_9F53_A1A7,
                    0x0A85_5BAB_AD5C_D60C
                )
            )
        )
    case 50:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4009_4522_46CF_A9B3,
                    0x6963_5E39_4704_EAA7,
                    0x0EE1_3473_C115_5F5F,
                    0x3110_91DD_9860_E8E2
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xBD80_F0B1_286D_8374,
                    0x871E_C5A6_4FEE_E685,
                    0xFFD1_F047_88C0_6830,
                    0x66DB_656F_87D1_F04F
                )
            )
        )
    case 51:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x1867_D423_2EC2_DBDF,
                    0x8839_28B4_5A93_4078,
                    0xB31C_0442_D3E6_AC24,
                    0x34C1_FD04_D301_BE89
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xC532_1857_BA73_ABEE,
                    0xD57F_1CEE_B487_443D,
                    0x54BD_46F7_3017_4136,
                    0x0941_4685_E97B_1B59
                )
            )
        )
    case 52:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xCC2A_5E6B_049B_8D63,
                    0x8D13_F3AB_BCD0_8AFF,
                    0x1C14_DE5B_557E_B42A,
                    0xF219_EA5D_6B54_701C
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xD8C2_962A_4007_66D1,
                    0xF4B0_8D3C_07B2_7FB8,
                    0xF73A_F454_4CCC_F6B1,
                    0x4CB9_5957_E83D_40B0
                )
            )
        )
    case 53:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x7236_9124_69A0_B448,
                    0x543A_5490_BCA6_2708,
                    0xB1F6_83DB_8F45_DE26,
                    0xD7B8_740F_74A8_FBAA
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x411E_0315_EAA4_593B,
                    0xFF15_DB5E_D3C0_49B3,
                    0xE101_0F33_7AD4_717E,
                    0xFA77_9681_28D9_C92E
                )
            )
        )
    case 54:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x9FE4_D309_1AA8_24BF,
                    0xAD5B_CD32_ABDD_9428,
                    0xF86F_7C98_D3A3_335E,
                    0x32D3_1C22_2F8F_6F0E
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x118D_14B8_462E_1661,
                    0x2E6D_AC9E_6F26_E961,
                    0x9CCD_3D79_15B9_E1DA,
                    0x5F30_32F5_8921_56E3
                )
            )
        )
    case 55:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x340F_86CB_C183_47B5,
                    0x8793_D77C_D595_92C4,
                    0x7104_5A15_5D98_31EA,
                    0x7461_F371_914A_B326
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xB398_47B3_CC09_2FF6,
                    0x2EEE_1FF5_0C98_6EA6,
                    0xCBDD_DCAE_0AA4_4254,
                    0x8EC0_BA23_8B96_BEC0
                )
            )
        )
    case 56:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x2876_98BA_D7B2_B2D6,
                    0x6D71_6B2C_3E67_453D,
                    0x7435_6A25_AA38_206A,
                    0xEE07_9ADB_1DF1_8600
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xEBAA_C479_EC1C_8C1E,
                    0xA446_989A_F04C_4E25,
                    0x4C5F_37E0_ECC5_F9F6,
                    0x8DC2_412A_AFE3_BE5C
                )
            )
        )
    case 57:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x2BFD_8616_BA9D_A6B5,
                    0xE65D_E331_874C_9DC7,
                    0x467B_1830_2EE6_20F7,
                    0x16EC_93E4_47EC_83F0
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x9626_778E_25B0_674D,
                    0x9D58_186A_50E4_9713,
                    0xD0E8_C2A7_CA58_04A3,
                    0x5E46_3115_0E62_FB40
                )
            )
        )
    case 58:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x85B9_6065_D537_BD99,
                    0xD885_5897_F98B_6AA4,
                    0x3897_8290_AFA7_0B6B,
                    0xEAA5_F980_C245_F6F0
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xB180_4102_4EDC_07DC,
                    0xD784_869D_7E6E_A67F,
                    0x19A5_2839_1C99_4624,
                    0xF65F_5D3E_292C_2E08
                )
            )
        )
    case 59:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xA96C_4B6B_35A4_9F51,
                    0x58AE_0487_7151_342E,
                    0x692E_E191_0A02_4399,
                    0x078C_9407_544A_C132
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x62B6_75F1_94A3_DDB4,
                    0xFA1F_BD58_3C06_4D24,
                    0xD540_4795_539A_5E68,
                    0xF3E0_3191_69EB_9B85
                )
            )
        )
    case 60:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x7265_78D9_7028_57A5,
                    0x01CD_C8AE_7A6F_C688,
                    0x16DC_D838_431A_EA00,
                    0x494F_4BE2_19A1_A770
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x55F4_B031_880D_562C,
                    0xF925_CE30_D767_ED6E,
                    0x39BA_7F07_5E36_BA2A,
                    0x4224_2A96_9283_A5F3
                )
            )
        )
    case 61:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xBF4C_1E66_5C1F_E9B5,
                    0xD282_11EA_58FA_A70E,
                    0x6BC7_F2F5_144E_A549,
                    0xA598_A803_0DA6_D86C
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0x1002_6DBD_2D86_4E6B,
                    0x23FC_63B6_5B35_F86A,
                    0x7E4B_4A71_4073_7AEC,
                    0x204B_5D6F_8482_2C30
                )
            )
        )
    case 62:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0x4DBA_DC3E_5859_5997,
                    0x208F_020F_1257_0A18,
                    0x0919_2F5F_2DBE_AFEC,
                    0xC419_1636_5ABB_2B5D
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xED16_E96B_58FA_9913,
                    0xD5CA_F945_0F34_BFC0,
                    0x49D2_45B3_2898_4989,
                    0x04F1_4351_D008_7EFA
                )
            )
        )
    default:
        return AffinePoint(
            unchecked: FieldElement(
                unchecked: UInt256(
                    0xE4C7_3A55_1474_2881,
                    0x92A2_E0D2_E0A3_6ACF,
                    0x5A72_4604_DA03_BC5B,
                    0x841D_6063_A586_FA47
                )
            ),
            FieldElement(
                unchecked: UInt256(
                    0xE7A3_6DE0_1A8D_6154,
                    0xE625_62D6_744C_169C,
                    0x1904_F9A1_C754_3698,
                    0x0738_67F5_9C06_59E8
                )
            )
        )
    }
}
