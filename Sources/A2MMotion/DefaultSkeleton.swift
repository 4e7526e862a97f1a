import Foundation

extension Skeleton {
    /// The a2m default skeleton (Motions/default_skeleton.bvh, documented in Motions/README.md): 22 joints,
    /// Mixamo-like names, Y-up, centimetres, facing +Z, channels ZXY. Embedded so the binary needs no data
    /// files; a test checks it is byte-identical to the file.
    public static let a2mDefault: Skeleton = {
        // The text is a constant checked by a test, so a parse failure is a build defect, not user input.
        let clip = try! BVHReader.read(string: defaultSkeletonBVH, name: "default_skeleton.bvh").clip
        return clip.skeleton
    }()

    static let defaultSkeletonBVH = """
HIERARCHY
ROOT Hips
{
	OFFSET 0 0 0
	CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
	JOINT Spine
	{
		OFFSET 0 10 0
		CHANNELS 3 Zrotation Xrotation Yrotation
		JOINT Spine1
		{
			OFFSET 0 12 0
			CHANNELS 3 Zrotation Xrotation Yrotation
			JOINT Spine2
			{
				OFFSET 0 12 0
				CHANNELS 3 Zrotation Xrotation Yrotation
				JOINT Neck
				{
					OFFSET 0 15 0
					CHANNELS 3 Zrotation Xrotation Yrotation
					JOINT Head
					{
						OFFSET 0 10 0
						CHANNELS 3 Zrotation Xrotation Yrotation
						End Site
						{
							OFFSET 0 18 0
						}
					}
				}
				JOINT LeftShoulder
				{
					OFFSET 4 10 0
					CHANNELS 3 Zrotation Xrotation Yrotation
					JOINT LeftArm
					{
						OFFSET 14 0 0
						CHANNELS 3 Zrotation Xrotation Yrotation
						JOINT LeftForeArm
						{
							OFFSET 28 0 0
							CHANNELS 3 Zrotation Xrotation Yrotation
							JOINT LeftHand
							{
								OFFSET 25 0 0
								CHANNELS 3 Zrotation Xrotation Yrotation
								End Site
								{
									OFFSET 18 0 0
								}
							}
						}
					}
				}
				JOINT RightShoulder
				{
					OFFSET -4 10 0
					CHANNELS 3 Zrotation Xrotation Yrotation
					JOINT RightArm
					{
						OFFSET -14 0 0
						CHANNELS 3 Zrotation Xrotation Yrotation
						JOINT RightForeArm
						{
							OFFSET -28 0 0
							CHANNELS 3 Zrotation Xrotation Yrotation
							JOINT RightHand
							{
								OFFSET -25 0 0
								CHANNELS 3 Zrotation Xrotation Yrotation
								End Site
								{
									OFFSET -18 0 0
								}
							}
						}
					}
				}
			}
		}
	}
	JOINT LeftUpLeg
	{
		OFFSET 9 -5 0
		CHANNELS 3 Zrotation Xrotation Yrotation
		JOINT LeftLeg
		{
			OFFSET 0 -42 0
			CHANNELS 3 Zrotation Xrotation Yrotation
			JOINT LeftFoot
			{
				OFFSET 0 -42 0
				CHANNELS 3 Zrotation Xrotation Yrotation
				JOINT LeftToeBase
				{
					OFFSET 0 -6 13
					CHANNELS 3 Zrotation Xrotation Yrotation
					End Site
					{
						OFFSET 0 0 8
					}
				}
			}
		}
	}
	JOINT RightUpLeg
	{
		OFFSET -9 -5 0
		CHANNELS 3 Zrotation Xrotation Yrotation
		JOINT RightLeg
		{
			OFFSET 0 -42 0
			CHANNELS 3 Zrotation Xrotation Yrotation
			JOINT RightFoot
			{
				OFFSET 0 -42 0
				CHANNELS 3 Zrotation Xrotation Yrotation
				JOINT RightToeBase
				{
					OFFSET 0 -6 13
					CHANNELS 3 Zrotation Xrotation Yrotation
					End Site
					{
						OFFSET 0 0 8
					}
				}
			}
		}
	}
}
MOTION
Frames: 1
Frame Time: 0.03333333
0 95 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
"""
}
